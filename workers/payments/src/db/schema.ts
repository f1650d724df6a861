import { sql } from 'drizzle-orm';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** A platform user's customer record at the payment provider; one per user. */
export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().unique(),
  providerCustomerId: text('provider_customer_id').unique(),
  createdAt: createdAt(),
});

/** Every provider webhook event seen, keyed by the provider's event id so that redeliveries are recognised. */
export const providerEvents = sqliteTable('provider_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: createdAt('received_at'),
  processedAt: text('processed_at'),
});
