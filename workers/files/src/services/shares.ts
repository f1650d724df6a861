import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileShareRow, fileShares } from '../db/schema.js';
import { fileFor } from './file-access.js';

/** A share as the API answers it. */
export const toShareView = (row: FileShareRow) => ({
  fileId: row.fileId,
  userId: row.userId,
  access: row.access,
  createdAt: row.createdAt,
});

/**
 * Gives `userId` read or write access to a file. Only its owner or an admin may, so a sharee can never pass on more
 * than they hold (nor anything at all). Sharing again replaces the access: a retry or a duplicate lands on the same
 * row.
 */
export async function shareFile(
  db: Db,
  caller: Principal,
  id: string,
  grant: { userId: string; access: 'read' | 'write' },
): Promise<FileShareRow> {
  const file = await fileFor(db, caller, id, 'owner');
  if (grant.userId === file.ownerId || grant.userId === caller.userId) {
    throw new AppError('VALIDATION_FAILED', 'A file is not shared with its owner or with yourself.', {
      errors: [{ path: 'userId', message: 'Name another user.' }],
    });
  }
  return db
    .insert(fileShares)
    .values({ fileId: id, userId: grant.userId, access: grant.access, createdBy: caller.userId })
    .onConflictDoUpdate({
      target: [fileShares.fileId, fileShares.userId],
      set: { access: grant.access, createdBy: caller.userId },
    })
    .returning()
    .get();
}

/** The file's shares, oldest first (owner or admin). */
export async function listShares(db: Db, caller: Principal, id: string): Promise<FileShareRow[]> {
  await fileFor(db, caller, id, 'owner');
  return db.select().from(fileShares).where(eq(fileShares.fileId, id)).orderBy(asc(fileShares.createdAt));
}

/** Ends a user's access to a file (owner or admin); ending a share that is not there changes nothing. */
export async function unshareFile(db: Db, caller: Principal, id: string, userId: string): Promise<void> {
  await fileFor(db, caller, id, 'owner');
  await db.delete(fileShares).where(and(eq(fileShares.fileId, id), eq(fileShares.userId, userId)));
}
