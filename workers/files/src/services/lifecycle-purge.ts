import { and, eq, exists, gt, type SQL, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs, fileShares, files, publicLinks } from '../db/schema.js';
import { collectBlob } from './blob-refs.js';
import { fileDeleted, publishEvents } from './platform-events.js';

/** What one bounded step of a sweep did, and whether rows it could not reach this time are left. */
export interface StepResult {
  done: number;
  more: boolean;
}

/** Rows a sweep handles per run: each step reads at most this many, so one run stays well inside a Worker's limits. */
export const CHUNK = 100;

/**
 * Deletes one file for good, by id, while `still` (a condition on the row) holds: one batch lowers its blob's count
 * only while the row is there, and deletes the row, its shares and its public links; then the blob is collected if
 * that was its last reference. Run twice, the second batch matches nothing. Interrupted after the batch, the blob sits
 * at zero references and the lifecycle's unreferenced-blob step collects it. Answers whether this call deleted it.
 */
export async function purgeFile(env: FilesEnv, fileId: string, still: SQL | undefined): Promise<boolean> {
  const db = dbOf(env.DB);
  const row = and(eq(files.id, fileId), still);
  const [, , , deleted] = await db.batch([
    db
      .update(blobs)
      .set({ refCount: sql`${blobs.refCount} - 1` })
      .where(
        and(
          eq(blobs.id, sql`(SELECT ${files.blobId} FROM ${files} WHERE ${row})`),
          gt(blobs.refCount, 0),
          exists(db.select({ one: sql`1` }).from(files).where(row)),
        ),
      ),
    db.delete(fileShares).where(and(eq(fileShares.fileId, fileId), exists(db.select().from(files).where(row)))),
    db.delete(publicLinks).where(and(eq(publicLinks.fileId, fileId), exists(db.select().from(files).where(row)))),
    db
      .delete(files)
      .where(row)
      .returning({ id: files.id, ownerId: files.ownerId, size: files.size, blobId: files.blobId }),
  ]);
  const [gone] = deleted;
  if (!gone) return false;
  await collectBlob(env, gone.blobId);
  await publishEvents(env, [fileDeleted(gone)]);
  return true;
}
