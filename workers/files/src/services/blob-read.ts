import type { BlobRow } from '../db/schema.js';

/** A byte range of the content as uploaded, both ends inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

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
  void env;
  void ctx;
  void blob;
  void range;
  throw new Error('openBlob: not built yet');
}
