import { sql } from 'drizzle-orm';
import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** One message to one recipient over one channel; the idempotency key makes a re-sent request a no-op. */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull(),
    template: text('template').notNull(),
    status: text('status', { enum: ['queued', 'sent', 'failed', 'bounced'] })
      .notNull()
      .default('queued'),
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    /** The message's variables (for sandbox deliveries, what a real provider would have been sent). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    category: text('category'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [index('deliveries_recipient_idx').on(t.recipient, t.createdAt)],
);
