import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { s3MultipartUploads } from '../db/schema.js';
import { S3Error } from './errors.js';
import type { ObjectKey } from './object-key.js';

/** Highest part number S3 allows. */
export const MAX_PART_NUMBER = 10_000;
/** Smallest part but the last (S3's and R2's rule). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** Where part `n` of multipart upload `id` waits in R2 until the upload completes or is aborted. */
export const partKey = (uploadId: string, n: number) => `s3-parts/${uploadId}/${n}`;
const partsPrefix = (uploadId: string) => `s3-parts/${uploadId}/`;

/** One stored part. */
export interface StoredPart {
  partNumber: number;
  size: number;
  /** R2's ETag of the part object: the MD5 of its bytes, as S3's part ETags are. */
  etag: string;
  uploaded: Date;
}

/**
 * The caller's multipart upload `uploadId` for `key`: the same `NoSuchUpload` whether it does not exist, was
 * completed or aborted, belongs to another user, or was started for another key.
 */
export async function uploadOf(db: Db, ownerId: string, uploadId: string, key: ObjectKey) {
  const row = await db
    .select()
    .from(s3MultipartUploads)
    .where(and(eq(s3MultipartUploads.id, uploadId), eq(s3MultipartUploads.ownerId, ownerId)))
    .get();
  if (!row || row.key !== key.key)
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    );
  return row;
}

/** The parts of an upload stored so far, by part number. */
export async function storedParts(bucket: R2Bucket, uploadId: string): Promise<StoredPart[]> {
  const parts: StoredPart[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: partsPrefix(uploadId), cursor });
    for (const o of page.objects) {
      const n = Number(o.key.slice(partsPrefix(uploadId).length));
      if (Number.isInteger(n)) parts.push({ partNumber: n, size: o.size, etag: o.etag, uploaded: o.uploaded });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

/** Deletes every stored part of an upload; deleting none is fine, so it is safe to repeat. */
export async function deleteParts(bucket: R2Bucket, uploadId: string): Promise<void> {
  const parts = await storedParts(bucket, uploadId);
  for (let i = 0; i < parts.length; i += 1000) {
    await bucket.delete(parts.slice(i, i + 1000).map((p) => partKey(uploadId, p.partNumber)));
  }
}

/** The parts, in order, as one stream: each part's object is opened only when the previous one has been read. */
export function concatenatedParts(bucket: R2Bucket, uploadId: string, numbers: number[]): ReadableStream<Uint8Array> {
  let next = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const n = numbers[next++];
          if (n === undefined) {
            controller.close();
            return;
          }
          const object = await bucket.get(partKey(uploadId, n));
          if (!object) throw new S3Error('InvalidPart', `Part ${n} is gone; upload it again.`);
          reader = object.body.getReader();
        }
        const chunk = await reader.read();
        if (chunk.done) {
          reader = null;
          continue;
        }
        controller.enqueue(chunk.value);
        return;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}
