import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { roles, userRoles } from '../db/schema.js';

/**
 * The permissions that the roles of the user `userId` grant now, without repeats, as one JSON-array column of a
 * larger query (read them with `heldPermissions`). Raw SQL: `json_each` expands each role's permission array, which
 * drizzle's query builder cannot join.
 */
export function heldPermissionsColumn(userId: SQLWrapper | string): SQL<string | null> {
  const query = sql`SELECT json_group_array(DISTINCT p.value) FROM ${userRoles}
    JOIN ${roles} ON ${roles.name} = ${userRoles.role}, json_each(${roles.permissions}) p
    WHERE ${userRoles.userId} = ${userId}`;
  // Nested, so that its columns stay qualified: drizzle drops the table from the columns of a single-table select,
  // and json_each has an `id` column of its own that a bare `id` would then name.
  return sql<string | null>`(${query})`;
}

/** The permission strings of a `heldPermissionsColumn` value. */
export function heldPermissions(column: string | null): string[] {
  return (JSON.parse(column ?? '[]') as (string | null)[]).filter((p): p is string => typeof p === 'string');
}
