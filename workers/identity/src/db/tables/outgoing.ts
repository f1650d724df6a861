// What identity sends out: the outbox of queue messages and the per-recipient send limits that pace its mail.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

/**
 * Messages for other services, written in the same batch as the change that causes them and sent to their queue
 * afterwards, so that a crash between the two cannot lose one. A row is deleted once its queue accepted it.
 */
export const outbox = sqliteTable('outbox', {
  id: text('id').primaryKey(),
  queue: text('queue', { enum: ['notifications', 'userEvents', 'platformEvents'] }).notNull(),
  body: text('body', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: createdAt(),
});

/**
 * Fixed-window counters of the mail identity sends on a caller's request (verification resends, reset links, email
 * changes, register-attempt notices), one row per limited subject: `user:<id>:<kind>` or `to:<SHA-256 of the
 * address>`. Addresses are hashed so that the table holds no one's email. Rows whose window ended are swept as new
 * ones are counted (services/send-limits.ts).
 */
export const sendLimits = sqliteTable(
  'send_limits',
  {
    key: text('key').primaryKey(),
    /** Epoch milliseconds at which the current window started. */
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('send_limits_window_idx').on(t.windowStart)],
);
