import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** Raw product events; `id` is the client's event id so that a retried batch is stored once. */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    userId: text('user_id'),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>(),
    occurredAt: text('occurred_at').notNull(),
    receivedAt: createdAt('received_at'),
  },
  (t) => [index('events_name_time_idx').on(t.name, t.occurredAt)],
);

/** Event counts per hour bucket, rebuilt by the rollup cron. */
export const rollups = sqliteTable(
  'rollups',
  {
    bucket: text('bucket').notNull(),
    name: text('name').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.name] })],
);
