import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { PROVIDER_NAMES } from '../../providers/provider.js';
import { SUBSCRIPTION_STATUSES } from '../../providers/provider-billing.js';
import { createdAt } from './columns.js';

// Billing: hosted checkout sessions, subscriptions and their invoices.

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
