import { and, eq } from 'drizzle-orm';
import { s3MultipartUploads } from '../db/schema.js';
import type { S3Call } from './context.js';
import { deleteParts, uploadOf } from './multipart-parts.js';
import type { ObjectKey } from './object-key.js';

/**
 * AbortMultipartUpload: parts deleted, then the row, then the parts once more for any part a concurrent UploadPart
 * wrote meanwhile. Interrupted before the row goes, a retry finishes it; after, the upload is `NoSuchUpload`, and
 * lifecycle sweeps whatever parts were left.
 */
export async function abortMultipartUpload(call: S3Call, key: ObjectKey): Promise<Response> {
  const uploadId = call.url.searchParams.get('uploadId') ?? '';
  await uploadOf(call.db, call.caller.owner.userId, uploadId, key);
  await deleteParts(call.env.FILES_BUCKET, uploadId);
  await call.db
    .delete(s3MultipartUploads)
    .where(and(eq(s3MultipartUploads.id, uploadId), eq(s3MultipartUploads.ownerId, call.caller.owner.userId)));
  await deleteParts(call.env.FILES_BUCKET, uploadId);
  return new Response(null, { status: 204 });
}
