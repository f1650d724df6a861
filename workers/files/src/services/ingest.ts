import type { FileRow } from '../db/schema.js';
import type { Owner } from './owner.js';

/** One file to store, whichever way it arrived (a request body, a tus upload, an upload URL, an S3 call). */
export interface IngestInput {
  owner: Owner;
  /** As the client gave it; normalised (and refused when bad) before any byte is stored. */
  name: string;
  /** As the client gave it (`''` or absent is the root). */
  folder?: string | null;
  /** The client's `Content-Type`; checked against the sniffed type. */
  declaredType?: string | null;
  /** Bytes the body will have, when known (Content-Length, Upload-Length): reserved up front. */
  declaredSize?: number | null;
  body: ReadableStream<Uint8Array>;
  /** Space already reserved for this upload (tus, upload URLs); when absent, ingest reserves it itself. */
  reservationId?: string;
  /** Replace the owner's live file at the same folder and name (S3 PutObject) instead of answering 409. */
  replace?: boolean;
}

/**
 * Stores one file: name checks, quota reservation, type sniffing, the body streamed to R2 while its SHA-256 is
 * computed (compressed when its type compresses), deduplicated by hash, and the file row inserted with the blob's
 * reference and the reservation's settlement in one batch. Throws an AppError (4xx) for bad input, having stored
 * nothing that outlives the call.
 */
export async function ingestFile(env: FilesEnv, ctx: ExecutionContext, input: IngestInput): Promise<FileRow> {
  void env;
  void ctx;
  void input;
  throw new Error('ingestFile: not built yet');
}
