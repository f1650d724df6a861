import { count, desc, eq, sum } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs, files } from '../db/schema.js';

/** Storage across all users, and what deduplication and compression save. */
export interface StorageStats {
  files: number;
  blobs: number;
  bytesLogical: number;
  bytesStored: number;
  bytesSavedByDeduplication: number;
  bytesSavedByCompression: number;
  bytesByStorageClass: { Standard: number; InfrequentAccess: number };
  trash: { files: number; bytes: number };
  topUsers: { userId: string; files: number; bytes: number }[];
}

// SUM over no rows is NULL, and D1 may answer a large SUM as a string: both become numbers here.
const num = (v: unknown) => Number(v ?? 0);

/**
 * The stats admins see, from aggregate queries in one batch (one consistent read): files (trash included, as it still
 * takes space) and their logical bytes; blobs, with their content and stored bytes; stored bytes per storage class;
 * the trash; the ten users holding the most bytes. Variants are not counted: they live in R2 only.
 */
export async function storageStats(env: FilesEnv): Promise<StorageStats> {
  const db = dbOf(env.DB);
  const [[fileTotals], [blobTotals], classes, [trash], top] = await db.batch([
    db.select({ files: count(), bytes: sum(files.size) }).from(files),
    db.select({ blobs: count(), bytes: sum(blobs.size), stored: sum(blobs.storedSize) }).from(blobs),
    db
      .select({ storageClass: blobs.storageClass, stored: sum(blobs.storedSize) })
      .from(blobs)
      .groupBy(blobs.storageClass),
    db
      .select({ files: count(), bytes: sum(files.size) })
      .from(files)
      .where(eq(files.status, 'trashed')),
    db
      .select({ userId: files.ownerId, files: count(), bytes: sum(files.size) })
      .from(files)
      .groupBy(files.ownerId)
      .orderBy(desc(sum(files.size)), files.ownerId)
      .limit(10),
  ]);
  const logical = num(fileTotals?.bytes);
  const content = num(blobTotals?.bytes);
  const stored = num(blobTotals?.stored);
  const byClass = (name: string) => num(classes.find((c) => c.storageClass === name)?.stored);
  return {
    files: num(fileTotals?.files),
    blobs: num(blobTotals?.blobs),
    bytesLogical: logical,
    bytesStored: stored,
    bytesSavedByDeduplication: logical - content,
    bytesSavedByCompression: content - stored,
    bytesByStorageClass: { Standard: byClass('Standard'), InfrequentAccess: byClass('InfrequentAccess') },
    trash: { files: num(trash?.files), bytes: num(trash?.bytes) },
    topUsers: top.map((u) => ({ userId: u.userId, files: num(u.files), bytes: num(u.bytes) })),
  };
}
