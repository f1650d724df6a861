import { sql } from 'drizzle-orm';
import { text } from 'drizzle-orm/sqlite-core';

/** A creation time the database stamps, ISO 8601 in UTC with milliseconds. */
export const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
