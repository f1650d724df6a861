import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs, type FileRow } from '../db/schema.js';
import { lengthMismatch, writeBlob } from './blob-writer.js';
import { readHead } from './body-head.js';
import { type ChunkReader, chunkReader } from './body-reader.js';
import { isCompressible } from './compressible.js';
import { maxUploadBytes } from './config.js';
import { normaliseFolder, normaliseName } from './names.js';
import type { Owner } from './owner.js';
import { releaseSpace, reserveRemaining, reserveSpace } from './quota.js';
import { settleUpload } from './settle-upload.js';
import { checkContent } from './sniff.js';

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
  /** Most bytes this upload may have, below MAX_UPLOAD_BYTES (an upload URL's `maxBytes`). */
  maxSize?: number;
}

/** Smallest declared size worth compressing. */
const MIN_COMPRESS_BYTES = 1024;

/** How long the space of a single-request upload stays reserved if the Worker dies before settling or releasing it. */
const RESERVATION_SECONDS = 3600;

/**
 * Stores one file and answers it, with `created: false` when the same owner had already stored these bytes under this
 * name (a retried upload). Steps, each refusing with a 4xx before anything outlives the call:
 * 1. the name and folder are normalised (400);
 * 2. space is reserved unless the caller holds a reservation: the declared size, or when unknown all that is left up
 *    to MAX_UPLOAD_BYTES (413 `STORAGE_QUOTA_EXCEEDED` before any byte is stored; 413 `PAYLOAD_TOO_LARGE` for a
 *    declared size over the limit);
 * 3. the first bytes decide the type (415 `CONTENT_TYPE_MISMATCH`, 415 `FILE_TYPE_REFUSED`);
 * 4. the body streams to R2 at `blobs/<new blob id>` while its SHA-256 and size are computed, gzip-compressed when its
 *    type compresses (413 past the reservation or the limit, 400 when it is not its declared length);
 * 5. one batch settles it (`settleUpload`): blob upserted by hash, file inserted, reservation deleted; 409 `FILE_EXISTS`
 *    for a taken name.
 * On any failure the object is deleted (unless a committed blob row holds it) and a reservation ingest made released;
 * a reservation the caller passed stays the caller's to release.
 */
export async function ingest(
  env: FilesEnv,
  ctx: ExecutionContext,
  input: IngestInput,
): Promise<{ file: FileRow; created: boolean }> {
  const { owner, body } = input;
  let ownReservation: string | undefined;
  let objectKey: string | undefined;
  let reader: ChunkReader | undefined;
  try {
    const name = normaliseName(input.name);
    const folder = normaliseFolder(input.folder);
    const limit = Math.min(maxUploadBytes(env), input.maxSize ?? Number.POSITIVE_INFINITY);
    const declaredSize = input.declaredSize ?? null;
    if (declaredSize !== null && declaredSize > limit) {
      throw new AppError('PAYLOAD_TOO_LARGE', `A file may have at most ${limit} bytes.`);
    }
    let reservationId = input.reservationId;
    let reserved = limit;
    if (!reservationId) {
      if (declaredSize !== null) {
        reservationId = ownReservation = await reserveSpace(env, owner, { bytes: declaredSize }, RESERVATION_SECONDS);
        reserved = declaredSize;
      } else {
        const held = await reserveRemaining(env, owner, limit, RESERVATION_SECONDS);
        reservationId = ownReservation = held.id;
        reserved = held.bytes;
      }
    }
    reader = chunkReader(body);
    const source = await readHead(reader);
    const { contentType, sniffedType } = await checkContent(env, source.bytes, input.declaredType);
    const blobId = newId('blb');
    objectKey = `blobs/${blobId}`;
    const written = await writeBlob(env.FILES_BUCKET, objectKey, source, {
      length: declaredSize,
      // Under 1 KiB gzip's own header and trailer outweigh what it saves.
      compress: isCompressible(contentType) && (declaredSize === null || declaredSize >= MIN_COMPRESS_BYTES),
      limit: Math.min(limit, reserved),
      tooBig: () =>
        declaredSize !== null
          ? lengthMismatch(declaredSize)
          : reserved < limit
            ? new AppError('STORAGE_QUOTA_EXCEEDED', 'The upload outgrew the storage your plan has left.')
            : new AppError('PAYLOAD_TOO_LARGE', `A file may have at most ${limit} bytes.`),
    });
    return await settleUpload(env, ctx, {
      owner,
      folder,
      name,
      contentType,
      sniffedType,
      blobId,
      objectKey,
      written,
      reservationId,
      replace: input.replace ?? false,
    });
  } catch (err) {
    await (reader ?? body).cancel().catch(() => {});
    if (objectKey) await dropUnlessKept(env, objectKey);
    if (ownReservation) await releaseSpace(env, ownReservation).catch(() => {});
    throw err;
  }
}

// A batch whose answer was lost may still have committed: an object a blob row names is kept.
async function dropUnlessKept(env: FilesEnv, objectKey: string): Promise<void> {
  const kept = await dbOf(env.DB)
    .select({ id: blobs.id })
    .from(blobs)
    .where(eq(blobs.objectKey, objectKey))
    .get()
    .catch(() => ({ id: 'unknown' }));
  if (!kept) await env.FILES_BUCKET.delete(objectKey).catch(() => {});
}

/**
 * Stores one file: name checks, quota reservation, type sniffing, the body streamed to R2 while its SHA-256 is
 * computed (compressed when its type compresses), deduplicated by hash, and the file row inserted with the blob's
 * reference and the reservation's settlement in one batch (see `ingest` for each step and its refusal). Throws an
 * AppError (4xx) for bad input, having stored nothing that outlives the call. A retry of the same bytes to the same
 * name answers the file stored the first time.
 */
export async function ingestFile(env: FilesEnv, ctx: ExecutionContext, input: IngestInput): Promise<FileRow> {
  return (await ingest(env, ctx, input)).file;
}
