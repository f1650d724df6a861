import { createdAtPosition } from '@onasis/http';
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The condition selecting rows strictly after a list cursor in `created_at DESC, id DESC` order (none without a
 * cursor); a cursor this Worker did not issue is a 400 naming `cursor`.
 */
export function afterPosition(
  table: { createdAt: SQLiteColumn; id: SQLiteColumn },
  cursor: string | undefined,
): SQL | undefined {
  if (cursor === undefined) return undefined;
  const c = createdAtPosition(cursor);
  return or(lt(table.createdAt, c.createdAt), and(eq(table.createdAt, c.createdAt), lt(table.id, c.id)));
}

/** The position `afterPosition` reads back from a cursor, for `pageOf`: the row's `createdAt` and `id`. */
export const positionOf = (row: { createdAt: string; id: string }) => ({ createdAt: row.createdAt, id: row.id });
