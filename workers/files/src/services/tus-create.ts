import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { dbOf } from '../db/client.js';
import { type UploadRow, uploads } from '../db/schema.js';
import { intVar, maxUploadBytes, PART_SIZE } from './config.js';
import type { Owner } from './owner.js';
import { reserveSpace } from './quota.js';
import { abortUpload } from './tus-abort.js';
import type { UploadMetadata } from './tus-protocol.js';
import { type SessionView, sessionOf } from './tus-session.js';

/** Hours an unfinished upload lives. */
export const uploadExpiryHours = (env: Pick<FilesEnv, 'UPLOAD_EXPIRY_HOURS'>) => intVar(env.UPLOAD_EXPIRY_HOURS, 24);

/** A new upload: what the client declared, already checked. */
export interface CreateUploadInput {
  owner: Owner;
  length: number;
  metadata: UploadMetadata;
  /** `Upload-Metadata` as sent, echoed on HEAD. */
  rawMetadata: string;
}

/**
 * Starts a tus upload: the space reserved (413 before any byte when over quota), the index row, then its Durable
 * Object with the R2 multipart upload and the expiry alarm. Interrupted after the reservation, the reservation
 * outlives nothing but its own expiry (lifecycle sweeps it); after the row, the upload is an active row without a
 * session, which HEAD treats as gone and lifecycle aborts. A duplicated request starts a second upload; the one the
 * client never learned of expires and gives its space back.
 */
export async function createUpload(
  env: FilesEnv,
  input: CreateUploadInput,
): Promise<{ row: UploadRow; view: SessionView }> {
  if (input.length > maxUploadBytes(env)) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Upload-Length is over the ${maxUploadBytes(env)}-byte limit.`);
  }
  const expirySeconds = uploadExpiryHours(env) * 3600;
  const expiresAt = new Date(Date.now() + expirySeconds * 1000).toISOString();
  const reservationId = await reserveSpace(env, input.owner, { bytes: input.length }, expirySeconds);
  const id = newId('upl');
  const row = await dbOf(env.DB)
    .insert(uploads)
    .values({ id, ownerId: input.owner.userId, length: input.length, reservationId, expiresAt })
    .returning()
    .get();
  try {
    const view = await sessionOf(env, id).init({
      uploadId: id,
      length: input.length,
      metadata: input.rawMetadata,
      expiresAt,
      partSize: PART_SIZE,
    });
    return { row, view };
  } catch (err) {
    await abortUpload(env, id).catch(() => {});
    throw err;
  }
}
