import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, files } from '../db/schema.js';
import { fileFor, fileNotFound } from './file-access.js';
import { normaliseFolder, normaliseName } from './names.js';

/** What `PATCH /api/v1/files/{id}` may change. */
export interface FileChange {
  name?: string;
  folder?: string;
}

/** Now, as the schema's defaults write it. */
export const NOW = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** Whether a write failed on a unique index (a live file already at that folder and name). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}

/** The 409 of a path taken by another live file of the same owner. */
export const fileExists = (folder: string, name: string) =>
  new AppError('FILE_EXISTS', `A file named "${name}" already exists in ${folder === '' ? 'the root' : folder}.`);

/**
 * Renames and/or moves a live file (its owner, an admin, or a `write` share). The owner's unique live path decides
 * a collision, so two renames racing for one name give one 409. Retried, it sets the same values again: same answer.
 */
export async function updateFile(db: Db, caller: Principal, id: string, change: FileChange): Promise<FileRow> {
  const file = await fileFor(db, caller, id, 'write');
  const name = change.name === undefined ? file.name : normaliseName(change.name);
  const folder = change.folder === undefined ? file.folder : normaliseFolder(change.folder);
  if (name === file.name && folder === file.folder) return file;
  let updated: FileRow | undefined;
  try {
    updated = await db
      .update(files)
      .set({ name, folder, updatedAt: NOW })
      .where(and(eq(files.id, id), eq(files.status, 'ready')))
      .returning()
      .get();
  } catch (err) {
    if (isUniqueViolation(err)) throw fileExists(folder, name);
    throw err;
  }
  // Trashed or deleted between the read and the write.
  if (!updated) throw fileNotFound(id);
  return updated;
}
