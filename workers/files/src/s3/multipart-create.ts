import { newId } from '@onasis/contracts';
import { s3MultipartUploads } from '../db/schema.js';
import type { S3Call } from './context.js';
import { BUCKET, type ObjectKey } from './object-key.js';
import { xmlDocument, xmlResponse } from './xml.js';

/**
 * CreateMultipartUpload: a row naming the upload, its owner and key; parts then wait in R2 under
 * `s3-parts/<id>/`. A retry starts another upload (as on S3); one never completed is aborted by lifecycle after
 * UPLOAD_EXPIRY_HOURS. Quota is checked when it completes, when the whole file goes through ingest.
 */
export async function createMultipartUpload(call: S3Call, key: ObjectKey): Promise<Response> {
  const id = newId('mpu');
  await call.db.insert(s3MultipartUploads).values({
    id,
    ownerId: call.caller.owner.userId,
    key: key.key,
    contentType: call.request.headers.get('content-type'),
  });
  const xml = xmlDocument('InitiateMultipartUploadResult', { Bucket: BUCKET, Key: key.key, UploadId: id });
  return xmlResponse(xml);
}
