import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { INTENT_STATUSES, PROVIDER_NAMES } from '../providers/provider.js';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** A platform user's customer record at the payment provider; one per user. */
export const customers = sqliteTable('customers', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().unique(),
  providerCustomerId: text('provider_customer_id').unique(),
  createdAt: createdAt(),
});

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

/**
 * Every provider event seen, keyed by the provider's event id so that redeliveries are recognised. `status`:
 * `pending` until the consumer has applied it, then `applied`, `ignored` (a type the platform does not act on, or
 * an older state than the one recorded) or `failed` (with `error`).
 */
export const providerEvents = sqliteTable('provider_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: createdAt('received_at'),
  processedAt: text('processed_at'),
  provider: text('provider', { enum: PROVIDER_NAMES }),
  payload: text('payload', { mode: 'json' }).$type<unknown>(),
  status: text('status', { enum: ['pending', 'applied', 'ignored', 'failed'] }),
  error: text('error'),
});

/**
 * One money movement (`ltx_…`): a capture, a refund, a dispute's withdrawal or reinstatement, a fee. `source_key`
 * (`capture:<pay_id>:<n>`, `refund:<re_id>`, …) is unique, so a movement applied twice is refused by the index, not
 * by luck. Written in the same D1 batch as the state change it records.
 */
export const ledgerTransactions = sqliteTable(
  'ledger_transactions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['capture', 'refund', 'dispute', 'dispute_reversal', 'fee'] }).notNull(),
    sourceKey: text('source_key').notNull().unique(),
    paymentId: text('payment_id'),
    refundId: text('refund_id'),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ledger_transactions_created_idx').on(t.createdAt)],
);

/** One side of a movement: signed minor units (debit positive, credit negative) on one account. */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    transactionId: text('transaction_id')
      .notNull()
      .references(() => ledgerTransactions.id),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    amount: integer('amount').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_entries_transaction_idx').on(t.transactionId),
    index('ledger_entries_account_idx').on(t.account),
  ],
);
