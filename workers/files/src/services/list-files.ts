import type { Principal } from '@onasis/contracts';
import { AppError, afterCreatedAt } from '@onasis/http';
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, fileShares, files } from '../db/schema.js';
import { normaliseFolder } from './names.js';

/** Filters of the file list. */
export interface FileFilter {
  /** Only this folder (exactly, not its subfolders). */
  folder?: string;
  /** Name contains this, case-insensitively (ASCII letters, as SQLite's LIKE folds them). */
  q?: string;
  /** The caller's trash instead of their live files. */
  trashed?: boolean;
  /** Live files other users shared with the caller instead of the caller's own. */
  shared?: boolean;
  after?: { createdAt: string; id: string };
  limit: number;
}

// `%`, `_` and the escape character itself match literally: a search for `50%` finds only names holding `50%`.
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * One page (plus one row, telling whether another exists) of the caller's files, newest first: their live files,
 * their trash, or the live files shared with them.
 */
export function listFiles(db: Db, caller: Principal, filter: FileFilter): Promise<FileRow[]> {
  if (filter.trashed && filter.shared) {
    throw new AppError('VALIDATION_FAILED', 'Ask for the trash or for shared files, not both.', {
      errors: [{ path: 'query.shared', message: 'Not together with trashed=true.' }],
    });
  }
  const conditions: (SQL | undefined)[] = [
    filter.shared
      ? inArray(
          files.id,
          db.select({ id: fileShares.fileId }).from(fileShares).where(eq(fileShares.userId, caller.userId)),
        )
      : eq(files.ownerId, caller.userId),
    eq(files.status, filter.trashed ? 'trashed' : 'ready'),
    afterCreatedAt(files, filter.after, 'desc'),
  ];
  if (filter.folder !== undefined) conditions.push(eq(files.folder, normaliseFolder(filter.folder, 'query.folder')));
  // Raw SQL: drizzle's like() cannot add the ESCAPE clause the escaped pattern needs.
  if (filter.q) conditions.push(sql`${files.name} LIKE ${likePattern(filter.q)} ESCAPE '\\'`);
  return db
    .select()
    .from(files)
    .where(and(...conditions))
    .orderBy(desc(files.createdAt), desc(files.id))
    .limit(filter.limit + 1);
}
