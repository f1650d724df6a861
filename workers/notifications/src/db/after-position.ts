import { afterCreatedAt, createdAtPosition } from '@onasis/http';
import type { SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The condition selecting rows strictly after a list cursor in `created_at DESC, id DESC` order (none without a
 * cursor); a cursor this Worker did not issue is a 400 naming `cursor`.
 */
export function afterPosition(
  table: { createdAt: SQLiteColumn; id: SQLiteColumn },
  cursor: string | undefined,
): SQL | undefined {
  return afterCreatedAt(table, cursor === undefined ? undefined : createdAtPosition(cursor), 'desc');
}
