import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DISPUTE_STATUSES, INTENT_STATUSES, PROVIDER_NAMES, SUBSCRIPTION_STATUSES } from '../providers/provider.js';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

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

/**
 * A hosted checkout (`cs_…`): the buyer pays on the provider's page (or the sandbox's). `reference` on the provider's
 * object is this id, so the completion event finds it; completion is applied once (`status` moves open → complete).
 */
export const checkoutSessions = sqliteTable(
  'checkout_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerSessionId: text('provider_session_id'),
    mode: text('mode', { enum: ['payment', 'subscription'] }).notNull(),
    plan: text('plan'),
    lineItems: text('line_items', { mode: 'json' }).$type<
      { name: string; amount: number; currency: string; quantity: number }[]
    >(),
    amountTotal: integer('amount_total').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['open', 'complete', 'expired'] }).notNull(),
    url: text('url'),
    successUrl: text('success_url').notNull(),
    cancelUrl: text('cancel_url').notNull(),
    paymentId: text('payment_id'),
    subscriptionId: text('subscription_id'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('checkout_sessions_provider_id_unique').on(t.provider, t.providerSessionId),
    index('checkout_sessions_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * A user's subscription to a plan (`sub_…`). One live subscription per user (a partial unique index): a second
 * `POST /subscriptions` while one is live is a 409. `provider_updated_at` orders events as for payments.
 * `grace_until`: while `past_due`, the user keeps the plan until then (dunning notices go out meanwhile).
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerSubscriptionId: text('provider_subscription_id'),
    plan: text('plan').notNull(),
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull(),
    currentPeriodEnd: text('current_period_end'),
    cancelAtPeriodEnd: integer('cancel_at_period_end', { mode: 'boolean' }).notNull().default(false),
    graceUntil: text('grace_until'),
    providerUpdatedAt: integer('provider_updated_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('subscriptions_provider_id_unique').on(t.provider, t.providerSubscriptionId),
    uniqueIndex('subscriptions_one_live_per_user')
      .on(t.userId)
      .where(sql`${t.status} NOT IN ('canceled', 'incomplete_expired')`),
    index('subscriptions_status_grace_idx').on(t.status, t.graceUntil),
  ],
);

/** A subscription's invoice (`inv_…`), mirrored from the provider; upserted by provider id, never moved backwards. */
export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    subscriptionId: text('subscription_id'),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerInvoiceId: text('provider_invoice_id').notNull(),
    status: text('status', { enum: ['draft', 'open', 'paid', 'uncollectible', 'void'] }).notNull(),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid').notNull().default(0),
    currency: text('currency').notNull(),
    attemptCount: integer('attempt_count').notNull().default(0),
    nextPaymentAttempt: text('next_payment_attempt'),
    hostedInvoiceUrl: text('hosted_invoice_url'),
    paymentId: text('payment_id'),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    providerUpdatedAt: integer('provider_updated_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('invoices_provider_id_unique').on(t.provider, t.providerInvoiceId),
    index('invoices_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * A dispute (`dp_…`) of a payment: its withdrawal and any reinstatement are ledger movements (`dispute:<dp_id>`,
 * `dispute_reversal:<dp_id>`), written in the same batch as the dispute's state.
 */
export const disputes = sqliteTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => paymentIntents.id),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerDisputeId: text('provider_dispute_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: DISPUTE_STATUSES }).notNull(),
    fee: integer('fee').notNull().default(0),
    evidenceDueBy: text('evidence_due_by'),
    providerUpdatedAt: integer('provider_updated_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('disputes_provider_id_unique').on(t.provider, t.providerDisputeId),
    index('disputes_created_idx').on(t.createdAt),
  ],
);

/**
 * One reconciliation run (`rcn_…`): what it compared, what it repaired and every mismatch it found. A run that dies
 * midway stays `running` with its `started_at`; the next run starts afresh (everything it does is idempotent).
 */
export const reconciliationRuns = sqliteTable(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    since: text('since').notNull(),
    eventsChecked: integer('events_checked').notNull().default(0),
    eventsRepaired: integer('events_repaired').notNull().default(0),
    mismatches: text('mismatches', { mode: 'json' })
      .$type<{ kind: string; objectId: string; detail: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    error: text('error'),
    startedAt: createdAt('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [index('reconciliation_runs_started_idx').on(t.startedAt)],
);
