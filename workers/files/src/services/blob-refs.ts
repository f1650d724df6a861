import { and, eq, gt, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs } from '../db/schema.js';

/** R2 prefix of a blob's image variants. */
export const variantPrefix = (blobId: string) => `variants/${blobId}/`;

/**
 * Deletes a blob nobody references any more: its row first, by a statement that matches only while `ref_count` is
 * still 0, then its R2 object and variants. An upload of the same bytes that bumped the count first makes the delete
 * match nothing, so the blob stays; one that comes after the row is gone inserts a row of its own, with its own
 * object. Safe to repeat and to call for a blob that is still referenced (it does nothing). Answers whether it deleted.
 */
export async function collectBlob(env: FilesEnv, blobId: string): Promise<boolean> {
  const gone = await dbOf(env.DB)
    .delete(blobs)
    .where(and(eq(blobs.id, blobId), eq(blobs.refCount, 0)))
    .returning({ objectKey: blobs.objectKey })
    .get();
  if (!gone) return false;
  await env.FILES_BUCKET.delete(gone.objectKey);
  await deleteVariants(env.FILES_BUCKET, blobId);
  return true;
}

async function deleteVariants(bucket: R2Bucket, blobId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: variantPrefix(blobId), cursor });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/**
 * Drops one reference to a blob (a file deleted for good). At zero the blob goes: its row first, by a statement that
 * matches only while the count is still zero, then its R2 object and variants; an upload of the same bytes that won
 * the race has bumped the count, so the delete matches nothing and the blob stays. Call it once per deleted file row:
 * a repeat lowers the count again. Callers that lower the count in their own batch call `collectBlob` instead.
 */
export async function releaseBlob(env: FilesEnv, blobId: string): Promise<void> {
  const left = await dbOf(env.DB)
    .update(blobs)
    .set({ refCount: sql`${blobs.refCount} - 1` })
    .where(and(eq(blobs.id, blobId), gt(blobs.refCount, 0)))
    .returning({ refCount: blobs.refCount })
    .get();
  if (left?.refCount === 0) await collectBlob(env, blobId);
}
