import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { type BlobRow, blobs } from '../db/schema.js';
import { intVar } from './config.js';
import type { StepResult } from './lifecycle-purge.js';

const DAY_MS = 86_400_000;

/** Blobs rewritten per run: each is a full read and write of its object, so far fewer than the row-only steps. */
export const COLD_CHUNK = 25;

/**
 * Rewrites one blob's object in place in the Infrequent Access class (the R2 binding has no copy), keeping its HTTP
 * metadata, checks with `head()` that the class moved, then marks the row. A crash between the put and the row
 * update leaves the object moved and the row saying Standard: the next run rewrites it again, which the put allows.
 * A blob collected while it was being rewritten has no row to mark: the object the put recreated is deleted again.
 */
async function moveToInfrequentAccess(env: FilesEnv, blob: BlobRow): Promise<boolean> {
  const bucket = env.FILES_BUCKET;
  const object = await bucket.get(blob.objectKey);
  if (!object) return false;
  if (object.storageClass !== 'InfrequentAccess') {
    await bucket.put(blob.objectKey, object.body, {
      storageClass: 'InfrequentAccess',
      httpMetadata: object.httpMetadata,
      customMetadata: object.customMetadata,
    });
    // R2 answers the class it stored; the local emulation keeps none (an empty string), so only an answer of
    // Standard, or no object, means the move did not happen.
    const moved = await bucket.head(blob.objectKey);
    if (!moved || moved.storageClass === 'Standard') return false;
  } else {
    await object.body.cancel();
  }
  const marked = await dbOf(env.DB)
    .update(blobs)
    .set({ storageClass: 'InfrequentAccess' })
    .where(and(eq(blobs.id, blob.id), eq(blobs.storageClass, 'Standard')))
    .returning({ id: blobs.id });
  if (marked.length > 0) return true;
  const still = await dbOf(env.DB).select({ id: blobs.id }).from(blobs).where(eq(blobs.id, blob.id)).get();
  if (!still) await bucket.delete(blob.objectKey);
  return false;
}

/**
 * Lifecycle step 5: blobs in Standard that nobody read for FILES_IA_AFTER_DAYS (by `last_read_at`, or `created_at`
 * when never read) move to Infrequent Access, cheaper to keep and dearer to read; a read records `last_read_at` but
 * does not move a blob back. At most `COLD_CHUNK` a run, least recently used first.
 */
export async function moveColdBlobs(env: FilesEnv, now: Date): Promise<StepResult> {
  const cutoff = new Date(now.getTime() - intVar(env.FILES_IA_AFTER_DAYS, 30) * DAY_MS).toISOString();
  const due = await dbOf(env.DB)
    .select()
    .from(blobs)
    .where(
      and(
        eq(blobs.storageClass, 'Standard'),
        gt(blobs.refCount, 0),
        or(lt(blobs.lastReadAt, cutoff), and(isNull(blobs.lastReadAt), lt(blobs.createdAt, cutoff))),
      ),
    )
    .orderBy(asc(sql`coalesce(${blobs.lastReadAt}, ${blobs.createdAt})`))
    .limit(COLD_CHUNK + 1);
  let done = 0;
  for (const blob of due.slice(0, COLD_CHUNK)) if (await moveToInfrequentAccess(env, blob)) done++;
  return { done, more: due.length > COLD_CHUNK };
}
