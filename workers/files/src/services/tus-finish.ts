import { ERROR_CODES } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { type UploadRow, uploads } from '../db/schema.js';
import { ingestFile } from './ingest.js';
import { storedOwner } from './owner.js';
import { abortUpload } from './tus-abort.js';
import { parseMetadata } from './tus-protocol.js';
import { assembledKey, sessionOf } from './tus-session.js';

/**
 * Turns an upload whose bytes are all stored into a file, once: the session hands out one claim at a time, the
 * assembled object goes through `ingestFile` (hash, content checks, deduplication, the reservation settled in the
 * batch that inserts the file), then the index row and the session record the file id and the assembled object is
 * deleted. Retried after a crash before the file was stored, it ingests again; after, ingest finds the same bytes
 * already stored under the same name and answers that file, so no second file appears. A refusal of the content
 * (415, or 409 for a name taken meanwhile) aborts the upload and is rethrown; any other failure gives the claim back
 * for the next request. Answers the file id, or null while another request is finishing it.
 */
export async function finishUpload(env: FilesEnv, ctx: ExecutionContext, row: UploadRow): Promise<string | null> {
  const session = sessionOf(env, row.id);
  const claim = await session.claimFinish();
  if (claim.kind === 'done') return claim.fileId;
  if (claim.kind === 'gone') throw new AppError('NOT_FOUND', `No upload ${row.id}.`);
  if (claim.kind !== 'claimed') return null;
  try {
    const meta = parseMetadata((await session.view())?.metadata);
    const object = await env.FILES_BUCKET.get(assembledKey(row.id));
    if (object === null) throw new Error(`assembled object of ${row.id} is missing`);
    const file = await ingestFile(env, ctx, {
      owner: await storedOwner(dbOf(env.DB), row.ownerId),
      name: meta.name,
      folder: meta.folder,
      declaredType: meta.filetype,
      declaredSize: row.length,
      body: object.body,
      reservationId: row.reservationId ?? undefined,
    });
    await dbOf(env.DB)
      .update(uploads)
      .set({ status: 'completed', fileId: file.id })
      .where(and(eq(uploads.id, row.id), eq(uploads.status, 'active')));
    await session.finished(file.id);
    await env.FILES_BUCKET.delete(assembledKey(row.id));
    return file.id;
  } catch (err) {
    // A 4xx from ingest is a verdict on the content or its name, which a retry would meet again.
    if (err instanceof AppError && ERROR_CODES[err.code].status < 500) await abortUpload(env, row.id);
    else await session.releaseFinish();
    throw err;
  }
}
