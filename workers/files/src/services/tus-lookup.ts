import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type UploadRow, uploads } from '../db/schema.js';

/** The 404 of an upload that is not the caller's, was terminated, or never existed. */
export const uploadNotFound = (id: string) => new AppError('NOT_FOUND', `No upload ${id}.`);

/**
 * The caller's upload `id`. Anyone else's is the same 404 as none; a terminated one is 404 too; an unfinished one past
 * its expiry is 410, whether its alarm aborted it yet or not (`onExpired` aborts it first, in case the alarm has not).
 */
export async function uploadFor(
  db: Db,
  userId: string,
  id: string,
  onExpired: (row: UploadRow) => Promise<void> = async () => {},
): Promise<UploadRow> {
  const row = await db
    .select()
    .from(uploads)
    .where(and(eq(uploads.id, id), eq(uploads.ownerId, userId)))
    .get();
  if (!row) throw uploadNotFound(id);
  if (row.status === 'completed') return row;
  const expired = Date.parse(row.expiresAt) <= Date.now();
  if (expired && row.status === 'active') await onExpired(row);
  if (expired) throw new AppError('GONE', `Upload ${id} expired.`);
  if (row.status === 'aborted') throw uploadNotFound(id);
  return row;
}
