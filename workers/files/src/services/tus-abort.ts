import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { uploads } from '../db/schema.js';
import { releaseSpace } from './quota.js';
import { sessionOf } from './tus-session.js';

/**
 * The index side of an aborted upload: its reservation released and its row marked `aborted`. Both steps are
 * idempotent (releasing twice is harmless; the update matches only an active row), so a retry after a crash between
 * them finishes the job. A completed upload is left alone.
 */
export async function forgetUpload(env: FilesEnv, uploadId: string): Promise<void> {
  const db = dbOf(env.DB);
  const row = await db.select().from(uploads).where(eq(uploads.id, uploadId)).get();
  if (!row || row.status === 'completed') return;
  if (row.reservationId) await releaseSpace(env, row.reservationId);
  await db
    .update(uploads)
    .set({ status: 'aborted' })
    .where(and(eq(uploads.id, uploadId), eq(uploads.status, 'active')));
}

/**
 * Aborts a tus upload from anywhere (termination, the lifecycle sweep, erasure): its Durable Object deletes the bytes
 * and refuses further PATCHes, then the reservation and index row follow. Idempotent, and a no-op for an upload that
 * finished (its file is the file's business) or never existed.
 */
export async function abortUpload(env: FilesEnv, uploadId: string): Promise<void> {
  const aborted = await sessionOf(env, uploadId).abort();
  if (aborted) await forgetUpload(env, uploadId);
}
