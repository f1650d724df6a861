import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, fileShares, files } from '../db/schema.js';
import { isFilesAdmin } from './owner.js';

/** What a caller wants to do with a file: read it, change it (rename, move), or manage it (share, delete, sign). */
export type FileNeed = 'read' | 'write' | 'owner';

/** The 404 every refusal answers, so that nobody learns whether someone else's file exists. */
export const fileNotFound = (id: string) => new AppError('NOT_FOUND', `No file ${id}.`);

/**
 * The file `id` if the caller may do `need` with it: its owner and `files:manage` may do anything; a share grants
 * `read` or `write` (and `write` includes `read`). Trashed files are seen only with `trashed: true`, by the owner or
 * an admin. Everything else is the same 404 as a file that does not exist.
 */
export async function fileFor(
  db: Db,
  caller: Principal,
  id: string,
  need: FileNeed,
  options: { trashed?: boolean } = {},
): Promise<FileRow> {
  const row = await db.select().from(files).where(eq(files.id, id)).get();
  if (!row) throw fileNotFound(id);
  const owns = row.ownerId === caller.userId || isFilesAdmin(caller);
  if (row.status === 'trashed' && !(options.trashed && owns)) throw fileNotFound(id);
  if (owns) return row;
  if (need === 'owner') throw fileNotFound(id);
  const share = await db
    .select({ access: fileShares.access })
    .from(fileShares)
    .where(and(eq(fileShares.fileId, id), eq(fileShares.userId, caller.userId)))
    .get();
  if (!share || (need === 'write' && share.access !== 'write')) throw fileNotFound(id);
  return row;
}
