import { and, eq, gt, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The drizzle condition selecting rows strictly after `position` in a list ordered by `createdAt`, then `id`, both
 * `desc` or both `asc`: the keyset a list cursor (`createdAtPosition`) stands for. None without a position.
 */
export function afterCreatedAt(
  table: { createdAt: SQLiteColumn; id: SQLiteColumn },
  position: { createdAt: string; id: string } | undefined,
  order: 'asc' | 'desc',
): SQL | undefined {
  if (position === undefined) return undefined;
  const past = order === 'desc' ? lt : gt;
  return or(
    past(table.createdAt, position.createdAt),
    and(eq(table.createdAt, position.createdAt), past(table.id, position.id)),
  );
}
