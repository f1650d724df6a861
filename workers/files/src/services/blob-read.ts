import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { type BlobRow, blobs } from '../db/schema.js';

/** A byte range of the content as uploaded, both ends inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The blob's content as uploaded, whole or one range: decompressed when it is stored compressed, so callers never see
 * the storage encoding. Also records the read for lifecycle (`last_read_at`, at most once a day per blob).
 */
export async function openBlob(
  env: FilesEnv,
  ctx: ExecutionContext,
  blob: BlobRow,
  range?: ByteRange,
): Promise<ReadableStream<Uint8Array>> {
  const identity = blob.encoding === 'identity';
  // Only identity bytes line up with the content; a gzip object is read whole and the range cut after inflating.
  const options = identity && range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : {};
  const object = await env.FILES_BUCKET.get(blob.objectKey, options);
  if (!object) throw new Error(`blob ${blob.id} has no object at ${blob.objectKey}`);
  ctx.waitUntil(recordRead(env, blob));
  if (identity) return object.body;
  const inflated = object.body.pipeThrough(new DecompressionStream('gzip'));
  return range ? inflated.pipeThrough(slice(range)) : inflated;
}

/** Passes only the bytes of `range`, then ends the stream, which cancels the read of the rest upstream. */
function slice(range: ByteRange): TransformStream<Uint8Array, Uint8Array> {
  let position = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const from = Math.max(range.start - position, 0);
      const to = Math.min(range.end + 1 - position, chunk.byteLength);
      position += chunk.byteLength;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (position > range.end) controller.terminate();
    },
  });
}

/**
 * Sets `last_read_at` when the row's is over a day old: lifecycle moves blobs nobody read lately to Infrequent
 * Access. The condition sits in the statement too, so concurrent reads write at most once; a lost write only makes
 * a blob look a day less fresh.
 */
async function recordRead(env: FilesEnv, blob: BlobRow): Promise<void> {
  const now = Date.now();
  if (blob.lastReadAt && now - Date.parse(blob.lastReadAt) < DAY_MS) return;
  const dayAgo = new Date(now - DAY_MS).toISOString();
  try {
    await dbOf(env.DB)
      .update(blobs)
      .set({ lastReadAt: new Date(now).toISOString() })
      .where(and(eq(blobs.id, blob.id), or(isNull(blobs.lastReadAt), lt(blobs.lastReadAt, dayAgo))));
  } catch {
    // Bookkeeping only: a failed write must not fail a read that already answered.
  }
}
