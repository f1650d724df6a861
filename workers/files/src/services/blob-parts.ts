import { PART_SIZE } from './config.js';

/**
 * Writes a stream of unknown length: gathered into parts of PART_SIZE (R2 multipart needs equal parts), one `put` when
 * it all fits in one part. At most one part sits in memory. A failed write aborts the multipart upload. Answers the
 * bytes stored.
 */
export async function putInParts(bucket: R2Bucket, key: string, stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let part = new Uint8Array(PART_SIZE);
  let filled = 0;
  let total = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const n = Math.min(PART_SIZE - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === PART_SIZE) {
          upload ??= await bucket.createMultipartUpload(key);
          parts.push(await upload.uploadPart(parts.length + 1, part));
          total += filled;
          part = new Uint8Array(PART_SIZE);
          filled = 0;
        }
      }
    }
    total += filled;
    if (!upload) {
      await bucket.put(key, part.subarray(0, filled));
      return total;
    }
    if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    await upload.complete(parts);
    return total;
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    await upload?.abort().catch(() => {});
    throw err;
  }
}
