import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import {
  fileShares,
  files,
  owners,
  publicLinks,
  reservations,
  s3Keys,
  s3MultipartUploads,
  uploads,
  uploadUrls,
} from '../db/schema.js';
import { CHUNK, purgeFile } from './lifecycle-purge.js';
import { dropS3Multipart } from './lifecycle-uploads.js';
import { abortUpload } from './tus-abort.js';

/** What one erasure run did; `more` when its time ran out with rows left, for the job's next attempt. */
export interface Erasure {
  files: number;
  uploads: number;
  s3MultipartUploads: number;
  more: boolean;
}

/** Wall time one run spends before it stops between chunks: well inside a Worker's limits. */
export const ERASE_BUDGET_MS = 20_000;

/** Runs `each` over chunks of ids that `next` picks until none are left or time is up; answers how many it did. */
async function drain(
  next: () => Promise<{ id: string }[]>,
  each: (id: string) => Promise<unknown>,
  inTime: () => boolean,
) {
  let done = 0;
  while (inTime()) {
    const rows = await next();
    if (rows.length === 0) return { done, more: false };
    for (const { id } of rows) await each(id);
    done += rows.length;
  }
  return { done, more: true };
}

/**
 * The `files.erase-user` job: the user's tus uploads are aborted, their S3 multipart uploads and parts deleted, then
 * each of their files (live or trashed) with its shares and links, its blob dereferenced (a blob another user's file
 * holds stays); then, once nothing else is left, the shares granted to them, their links, upload URLs, reservations,
 * upload index rows, S3 keys and their `owners` row, in one batch. Every part deletes only what is still there, so
 * a second run, or a retry after a crash or after the time budget ran out, does the rest and nothing more.
 */
export async function eraseUser(env: FilesEnv, userId: string, budgetMs = ERASE_BUDGET_MS): Promise<Erasure> {
  const db = dbOf(env.DB);
  const deadline = Date.now() + budgetMs;
  const inTime = () => Date.now() < deadline;
  const tus = await drain(
    () =>
      db
        .select({ id: uploads.id })
        .from(uploads)
        .where(and(eq(uploads.ownerId, userId), eq(uploads.status, 'active')))
        .limit(CHUNK),
    (id) => abortUpload(env, id).then(() => db.delete(uploads).where(eq(uploads.id, id))),
    inTime,
  );
  const multipart = await drain(
    () =>
      db
        .select({ id: s3MultipartUploads.id })
        .from(s3MultipartUploads)
        .where(eq(s3MultipartUploads.ownerId, userId))
        .limit(CHUNK),
    (id) => dropS3Multipart(env, id),
    inTime,
  );
  const owned = eq(files.ownerId, userId);
  const removed = await drain(
    () => db.select({ id: files.id }).from(files).where(owned).limit(CHUNK),
    (id) => purgeFile(env, id, owned),
    inTime,
  );
  const more = tus.more || multipart.more || removed.more;
  if (!more) {
    await db.batch([
      db.delete(fileShares).where(eq(fileShares.userId, userId)),
      db.delete(publicLinks).where(eq(publicLinks.ownerId, userId)),
      db.delete(uploadUrls).where(eq(uploadUrls.ownerId, userId)),
      db.delete(reservations).where(eq(reservations.ownerId, userId)),
      db.delete(uploads).where(eq(uploads.ownerId, userId)),
      db.delete(s3Keys).where(eq(s3Keys.ownerId, userId)),
      db.delete(owners).where(eq(owners.userId, userId)),
    ]);
  }
  return { files: removed.done, uploads: tus.done, s3MultipartUploads: multipart.done, more };
}
