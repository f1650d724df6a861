import type { Principal } from '@onasis/contracts';
import { and, eq, exists, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { blobs, type FileRow, fileShares, files, publicLinks } from '../db/schema.js';
import { collectBlob } from './blob-refs.js';
import { fileFor, fileNotFound } from './file-access.js';
import { fileDeleted, publishEvents } from './platform-events.js';
import { fileExists, isUniqueViolation, NOW } from './update-file.js';

/**
 * Moves a file to the trash (owner or admin), where it stays restorable until lifecycle purges it; its shares and
 * links stop working meanwhile, since every read needs a live file. Trashing a trashed file changes nothing, so a
 * retry or a duplicate answers the same.
 */
export async function trashFile(db: Db, caller: Principal, id: string): Promise<void> {
  const file = await fileFor(db, caller, id, 'owner', { trashed: true });
  if (file.status === 'trashed') return;
  await db
    .update(files)
    .set({ status: 'trashed', trashedAt: NOW, updatedAt: NOW })
    .where(and(eq(files.id, id), eq(files.status, 'ready')));
}

/**
 * Brings a trashed file back (owner or admin); 409 FILE_EXISTS when a live file took its path meanwhile. A live file
 * is answered as it is, so a retried restore answers the same file.
 */
export async function restoreFile(db: Db, caller: Principal, id: string): Promise<FileRow> {
  const file = await fileFor(db, caller, id, 'owner', { trashed: true });
  if (file.status === 'ready') return file;
  let restored: FileRow | undefined;
  try {
    restored = await db
      .update(files)
      .set({ status: 'ready', trashedAt: null, updatedAt: NOW })
      .where(and(eq(files.id, id), eq(files.status, 'trashed')))
      .returning()
      .get();
  } catch (err) {
    if (isUniqueViolation(err)) throw fileExists(file.folder, file.name);
    throw err;
  }
  // A concurrent restore won: answer the file it restored.
  return restored ?? fileFor(db, caller, id, 'owner');
}

/**
 * Deletes a file for good (owner or admin), live or trashed: one batch lowers its blob's count (only while the row
 * is still there) and deletes the row, its shares and its public links, so a duplicate racing it changes nothing and
 * a retry after success is a 404 like any missing file. A blob left at zero is collected after; interrupted before
 * that, lifecycle collects it.
 */
export async function deleteFile(env: FilesEnv, db: Db, caller: Principal, id: string): Promise<void> {
  const file = await fileFor(db, caller, id, 'owner', { trashed: true });
  const stillThere = and(eq(files.id, id), eq(files.blobId, file.blobId));
  const [, , , deleted] = await db.batch([
    db
      .update(blobs)
      .set({ refCount: sql`${blobs.refCount} - 1` })
      .where(and(eq(blobs.id, file.blobId), gt(blobs.refCount, 0), exists(db.select().from(files).where(stillThere)))),
    db.delete(fileShares).where(eq(fileShares.fileId, id)),
    db.delete(publicLinks).where(eq(publicLinks.fileId, id)),
    db.delete(files).where(stillThere).returning(),
  ]);
  const [row] = deleted;
  if (!row) throw fileNotFound(id);
  await collectBlob(env, row.blobId);
  await publishEvents(env, [fileDeleted(row)]);
}
