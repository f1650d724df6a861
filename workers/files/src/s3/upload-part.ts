import { maxUploadBytes } from '../services/config.js';
import { usageOf } from '../services/quota.js';
import type { S3Call } from './context.js';
import { S3Error } from './errors.js';
import { MAX_PART_NUMBER, partKey, storedParts, uploadOf } from './multipart-parts.js';
import type { ObjectKey } from './object-key.js';
import { objectBody } from './payload.js';

function partNumberOf(raw: string | null): number {
  const n = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || n < 1 || n > MAX_PART_NUMBER)
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`);
  return n;
}

/**
 * UploadPart: the body stored as `s3-parts/<uploadId>/<partNumber>`, its ETag R2's MD5 of the bytes. The parts of
 * one upload may not add up to more than MAX_UPLOAD_BYTES, the most the completed file could hold. A retried part
 * replaces the earlier one (the last one written wins, as on S3); a body that fails its hash or framing check errors
 * the stream, so R2 keeps the earlier part, or none.
 */
export async function uploadPart(call: S3Call, key: ObjectKey): Promise<Response> {
  const partNumber = partNumberOf(call.url.searchParams.get('partNumber'));
  const uploadId = call.url.searchParams.get('uploadId') ?? '';
  await uploadOf(call.db, call.caller.owner.userId, uploadId, key);
  const payload = objectBody(call.request, call.caller);
  if (payload.size === null)
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  const limit = maxUploadBytes(call.env);
  const others = (await storedParts(call.env.FILES_BUCKET, uploadId)).filter((p) => p.partNumber !== partNumber);
  const total = others.reduce((sum, p) => sum + p.size, 0) + payload.size;
  if (total > limit) {
    await payload.body.cancel().catch(() => {});
    throw new S3Error('EntityTooLarge', `The parts of an upload may hold at most ${limit} bytes in all.`);
  }
  // Parts are not charged until Complete stores the file; refusing parts the quota could never take keeps an
  // upload from holding more than the owner could keep.
  const usage = await usageOf(call.env, call.caller.owner);
  if (total > usage.bytesAllowed - usage.bytesUsed - usage.bytesReserved) {
    await payload.body.cancel().catch(() => {});
    throw new S3Error('QuotaExceeded', 'The parts of this upload exceed the storage your plan has left.');
  }
  let object: R2Object | null;
  try {
    object = await call.env.FILES_BUCKET.put(
      partKey(uploadId, partNumber),
      payload.body.pipeThrough(new FixedLengthStream(payload.size)),
    );
  } catch (err) {
    const failure = payload.failure();
    if (failure) throw failure;
    if (err instanceof TypeError || (err instanceof Error && /length|stream/i.test(err.message)))
      throw new S3Error('IncompleteBody', 'The body did not hold the bytes its length announced.');
    throw err;
  }
  // Only a conditional put answers null, and this one has no condition.
  if (!object) throw new Error('R2 did not store the part');
  return new Response(null, { status: 200, headers: { etag: `"${object.etag}"` } });
}
