import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

/**
 * Business events from the platform-events queue (contract: PlatformEventSchema in @onasis/contracts), stored once
 * per event id. Kept (they are few), so platform figures can always be rebuilt.
 */
export const platformEvents = sqliteTable(
  'platform_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    userId: text('user_id'),
    occurredAt: text('occurred_at').notNull(),
    /** UTC day of `occurred_at`. */
    date: text('date').notNull(),
    /** The payment, refund, subscription or file the event is about. */
    subjectId: text('subject_id'),
    /** Minor units: a payment, a refund, or a subscription's monthly amount. */
    amount: integer('amount'),
    currency: text('currency'),
    /** Bytes, for file events. */
    bytes: integer('bytes'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    receivedAt: createdAt('received_at'),
  },
  (t) => [index('platform_events_type_date_idx').on(t.type, t.date), index('platform_events_user_idx').on(t.userId)],
);

/** Platform figures per UTC day, rebuilt from platform_events for each day a batch touched. */
export const platformDaily = sqliteTable(
  'platform_daily',
  {
    date: text('date').notNull(),
    /**
     * `signups`, `active_users`, `revenue:<currency>`, `refunds:<currency>`, `storage_uploaded`, `storage_deleted`,
     * `subscriptions_started`, `subscriptions_canceled`, `mrr_delta:<currency>` (MRR is their running sum).
     */
    metric: text('metric').notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.metric, t.date] })],
);

export type PlatformEventRow = typeof platformEvents.$inferInsert;
