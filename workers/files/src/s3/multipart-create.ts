import { newId } from '@onasis/contracts';
import { sql } from 'drizzle-orm';
import type { S3Call } from './context.js';
import { S3Error } from './errors.js';
import { BUCKET, type ObjectKey } from './object-key.js';
import { xmlDocument, xmlResponse } from './xml.js';

/**
 * Most multipart uploads one user may have in progress: their parts are not charged to the quota until they
 * complete, so this bounds what a user can park in R2 until lifecycle aborts them.
 */
export const MAX_OPEN_UPLOADS = 32;

/**
 * CreateMultipartUpload: a row naming the upload, its owner and key; parts then wait in R2 under
 * `s3-parts/<id>/`. A retry starts another upload (as on S3); one never completed is aborted by lifecycle after
 * UPLOAD_EXPIRY_HOURS. Quota is checked when it completes, when the whole file goes through ingest.
 */
export async function createMultipartUpload(call: S3Call, key: ObjectKey): Promise<Response> {
  const id = newId('mpu');
  const ownerId = call.caller.owner.userId;
  // Raw SQL: drizzle has no INSERT … SELECT … WHERE, the form that makes the count check and the insert one step.
  const result = await call.db.run(sql`
    INSERT INTO s3_multipart_uploads (id, owner_id, key, content_type)
    SELECT ${id}, ${ownerId}, ${key.key}, ${call.request.headers.get('content-type')}
    WHERE (SELECT count(*) FROM s3_multipart_uploads WHERE owner_id = ${ownerId}) < ${MAX_OPEN_UPLOADS}`);
  if (result.meta.changes !== 1)
    throw new S3Error(
      'QuotaExceeded',
      `At most ${MAX_OPEN_UPLOADS} multipart uploads may be in progress at once; complete or abort one first.`,
    );
  const xml = xmlDocument('InitiateMultipartUploadResult', { Bucket: BUCKET, Key: key.key, UploadId: id });
  return xmlResponse(xml);
}
