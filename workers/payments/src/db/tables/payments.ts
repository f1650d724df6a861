import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { INTENT_STATUSES, PROVIDER_NAMES } from '../../providers/provider.js';
import { createdAt } from './columns.js';

// Payments and what hangs off them: the payer's customer records, payment intents, refunds.

/**
 * A platform user's customer record at a payment provider: one per user and provider, so that a deployment that
 * moves to another provider makes the user a customer there instead of handing it the old provider's id. Rows from
 * before the column were Stripe's, or the sandbox's where the id says so (migration 0003).
 */
export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull().default('stripe'),
    providerCustomerId: text('provider_customer_id').unique(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('customers_user_provider_unique').on(t.userId, t.provider)],
);

/**
 * A payment (`pay_…`): a state machine over Stripe's statuses (services/intent-states.ts). `version` guards every
 * update (`WHERE version = ?`), so two writers never both move one payment. `provider_updated_at` is the provider's
 * own time of the state recorded here: an event carrying an older time never moves the payment back.
 * `amount_refunded` counts refunds reserved or done, never more than `amount_captured` (a CHECK holds it).
 */
export const paymentIntents = sqliteTable(
  'payment_intents',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerIntentId: text('provider_intent_id'),
    status: text('status', { enum: INTENT_STATUSES }).notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    description: text('description'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>(),
    captureMethod: text('capture_method', { enum: ['automatic', 'manual'] }).notNull(),
    amountCaptured: integer('amount_captured').notNull().default(0),
    amountRefunded: integer('amount_refunded').notNull().default(0),
    clientSecret: text('client_secret'),
    approvalUrl: text('approval_url'),
    lastError: text('last_error', { mode: 'json' }).$type<{ code: string; declineCode?: string; message: string }>(),
    providerUpdatedAt: integer('provider_updated_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('payment_intents_provider_id_unique').on(t.provider, t.providerIntentId),
    // The database itself refuses a refund beyond what was captured, however many requests race: a reservation that
    // would break it fails its whole batch.
    check('payment_intents_refund_bound', sql`${t.amountRefunded} >= 0 AND ${t.amountRefunded} <= ${t.amountCaptured}`),
    check('payment_intents_capture_bound', sql`${t.amountCaptured} >= 0 AND ${t.amountCaptured} <= ${t.amount}`),
    check('payment_intents_amount_positive', sql`${t.amount} > 0`),
    index('payment_intents_user_created_idx').on(t.userId, t.createdAt),
    index('payment_intents_created_idx').on(t.createdAt),
  ],
);

/** A refund (`re_…`) of part or all of a payment; `pending` from the moment its amount is reserved on the payment. */
export const refunds = sqliteTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => paymentIntents.id),
    userId: text('user_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason'),
    status: text('status', { enum: ['pending', 'succeeded', 'failed', 'canceled'] }).notNull(),
    providerRefundId: text('provider_refund_id'),
    failureReason: text('failure_reason'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    check('refunds_amount_positive', sql`${t.amount} > 0`),
    index('refunds_payment_idx').on(t.paymentId, t.createdAt),
    uniqueIndex('refunds_provider_id_unique').on(t.providerRefundId),
  ],
);
