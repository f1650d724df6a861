import { and, asc, eq, lt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { s3MultipartUploads, uploads } from '../db/schema.js';
import { intVar } from './config.js';
import { CHUNK, type StepResult } from './lifecycle-purge.js';
import { abortUpload } from './tus-abort.js';

const HOUR_MS = 3_600_000;

/** Deletes every object under `prefix`, a listing page at a time. */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/**
 * Deletes an S3 multipart upload: its parts first, then its row, so that a crash between them leaves the row and the
 * next run (or erasure) deletes whatever parts are left, then the row. Repeating it is harmless.
 */
export async function dropS3Multipart(env: FilesEnv, id: string): Promise<void> {
  await deletePrefix(env.FILES_BUCKET, `s3-parts/${id}/`);
  await dbOf(env.DB).delete(s3MultipartUploads).where(eq(s3MultipartUploads.id, id));
}

/** What the stale-uploads step did. */
export interface StaleUploads {
  tus: StepResult;
  s3Multipart: StepResult;
}

/**
 * Lifecycle step 1: tus uploads still active past their expiry are aborted through their Durable Object (which
 * deletes their R2 multipart upload and tail, then their reservation is released and the row marked aborted), and S3
 * multipart uploads older than UPLOAD_EXPIRY_HOURS lose their parts and row. Both are idempotent: an upload aborted
 * twice, or whose abort crashed half-way, is finished by the next run.
 */
export async function abortStaleUploads(env: FilesEnv, now: Date): Promise<StaleUploads> {
  const db = dbOf(env.DB);
  const stale = await db
    .select({ id: uploads.id })
    .from(uploads)
    .where(and(eq(uploads.status, 'active'), lt(uploads.expiresAt, now.toISOString())))
    .orderBy(asc(uploads.expiresAt))
    .limit(CHUNK + 1);
  for (const { id } of stale.slice(0, CHUNK)) await abortUpload(env, id);
  const cutoff = new Date(now.getTime() - intVar(env.UPLOAD_EXPIRY_HOURS, 24) * HOUR_MS).toISOString();
  const multipart = await db
    .select({ id: s3MultipartUploads.id })
    .from(s3MultipartUploads)
    .where(lt(s3MultipartUploads.createdAt, cutoff))
    .orderBy(asc(s3MultipartUploads.createdAt))
    .limit(CHUNK + 1);
  for (const { id } of multipart.slice(0, CHUNK)) await dropS3Multipart(env, id);
  return {
    tus: { done: Math.min(stale.length, CHUNK), more: stale.length > CHUNK },
    s3Multipart: { done: Math.min(multipart.length, CHUNK), more: multipart.length > CHUNK },
  };
}
