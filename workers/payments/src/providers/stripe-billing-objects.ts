import type Stripe from 'stripe';
import {
  type ProviderCheckoutSession,
  type ProviderInvoice,
  type ProviderSubscription,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from './provider-billing.js';

// Stripe's billing objects (checkout sessions, subscriptions, invoices) in the platform's model. As for payments,
// the caller says which moment the object stands for: the event's time for a webhook, `Date.now()` for an answer.

/** The id of a field that is an id unless expanded. */
function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/** `value` when it is one of `known`, else `fallback`: a value newer than this SDK knows counts as the safe one. */
function oneOf<T extends string>(value: string | null, known: readonly T[], fallback: T): T {
  return (known as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

const isSubscriptionStatus = (s: string): s is SubscriptionStatus =>
  (SUBSCRIPTION_STATUSES as readonly string[]).includes(s);

/** A Checkout Session; `client_reference_id` is the platform's `cs_…` id. */
export function checkoutSessionOf(s: Stripe.Checkout.Session, updatedAt: number): ProviderCheckoutSession {
  const paymentProviderId = idOf(s.payment_intent);
  const subscriptionProviderId = idOf(s.subscription);
  const customerId = idOf(s.customer);
  return {
    providerId: s.id,
    url: s.url ?? '',
    status: oneOf(s.status, ['open', 'complete', 'expired'], 'open'),
    paymentStatus: oneOf(s.payment_status, ['paid', 'unpaid', 'no_payment_required'], 'unpaid'),
    reference: s.client_reference_id,
    amountTotal: s.amount_total ?? 0,
    currency: s.currency ?? '',
    ...(paymentProviderId && { paymentProviderId }),
    ...(subscriptionProviderId && { subscriptionProviderId }),
    ...(customerId && { customerId }),
    updatedAt,
  };
}

/**
 * A Subscription. Since API version 2025-03-31 the period lives on the items; the platform sells one price per
 * subscription, so the first item is the plan. The first invoice's `confirmation_secret` (when `latest_invoice` was
 * expanded) is what the buyer confirms the first payment with.
 */
export function subscriptionOf(sub: Stripe.Subscription, updatedAt: number): ProviderSubscription {
  const item = sub.items.data[0];
  const latest = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
  const clientSecret = latest?.confirmation_secret?.client_secret;
  return {
    providerId: sub.id,
    customerId: idOf(sub.customer) ?? '',
    price: item?.price.id ?? '',
    // A status newer than this SDK knows grants nothing: treated as not yet paid.
    status: isSubscriptionStatus(sub.status) ? sub.status : 'incomplete',
    currentPeriodEnd: (item?.current_period_end ?? sub.start_date) * 1000,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    ...(clientSecret && { clientSecret }),
    updatedAt,
  };
}

/** An Invoice; its subscription is under `parent.subscription_details`, the payment under `payments`. */
export function invoiceOf(inv: Stripe.Invoice, updatedAt: number): ProviderInvoice {
  const subscriptionProviderId = idOf(inv.parent?.subscription_details?.subscription);
  const payment = inv.payments?.data.find((p) => p.status === 'paid') ?? inv.payments?.data[0];
  const paymentProviderId = idOf(payment?.payment.payment_intent);
  return {
    providerId: inv.id ?? '',
    ...(subscriptionProviderId && { subscriptionProviderId }),
    customerId: idOf(inv.customer) ?? '',
    status: oneOf(inv.status, ['draft', 'open', 'paid', 'uncollectible', 'void'], 'open'),
    amountDue: inv.amount_due,
    amountPaid: inv.amount_paid,
    currency: inv.currency,
    attemptCount: inv.attempt_count,
    ...(inv.next_payment_attempt !== null && { nextPaymentAttempt: inv.next_payment_attempt * 1000 }),
    ...(inv.hosted_invoice_url && { hostedInvoiceUrl: inv.hosted_invoice_url }),
    ...(paymentProviderId && { paymentProviderId }),
    periodStart: inv.period_start * 1000,
    periodEnd: inv.period_end * 1000,
    updatedAt,
  };
}
