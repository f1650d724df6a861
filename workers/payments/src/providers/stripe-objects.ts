import type Stripe from 'stripe';
import {
  INTENT_STATUSES,
  type IntentStatus,
  type ProviderEvent,
  type ProviderIntent,
  type ProviderRefund,
} from './provider.js';
import { billingOfStripeEvent } from './stripe-billing.js';
import { disputeOfStripeEvent } from './stripe-disputes.js';

// Stripe's objects and events in the platform's model: what the adapter answers and what the webhook route stores.

const isIntentStatus = (status: string): status is IntentStatus =>
  (INTENT_STATUSES as readonly string[]).includes(status);

/**
 * A PaymentIntent in the platform's model. Stripe's intent carries no "updated" time, so the caller says which moment
 * the object stands for: the event's `created` for a webhook (Stripe's own clock, which orders out-of-order
 * deliveries), `Date.now()` for a direct answer (which is the newest state there is when it arrives).
 */
export function intentOf(pi: Stripe.PaymentIntent, updatedAt: number): ProviderIntent {
  const error = pi.last_payment_error;
  const approvalUrl = pi.next_action?.redirect_to_url?.url;
  return {
    providerId: pi.id,
    // A status newer than this SDK knows means money is neither settled nor refused yet: wait for the next event.
    status: isIntentStatus(pi.status) ? pi.status : 'processing',
    amount: pi.amount,
    amountCaptured: pi.amount_received,
    currency: pi.currency,
    ...(pi.client_secret && { clientSecret: pi.client_secret }),
    ...(approvalUrl && { approvalUrl }),
    ...(error && {
      lastError: {
        code: error.code ?? 'payment_failed',
        ...(error.decline_code && { declineCode: error.decline_code }),
        message: error.message ?? 'The payment failed.',
      },
    }),
    updatedAt,
  };
}

/** A Refund in the platform's model; Stripe's `requires_action` is still pending from the platform's side. */
export function refundOf(refund: Stripe.Refund): ProviderRefund {
  const status = refund.status === 'requires_action' || !refund.status ? 'pending' : refund.status;
  return {
    providerId: refund.id,
    status: status === 'succeeded' || status === 'failed' || status === 'canceled' ? status : 'pending',
    amount: refund.amount,
    currency: refund.currency,
  };
}

/** The PaymentIntent's id behind a refund or a charge (a string unless expanded); null for a charge-only refund. */
function paymentIdOf(value: string | { id: string } | null): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

/**
 * A verified Stripe event in the platform's model: `payment_intent.*` carry the intent, `refund.*` and
 * `charge.refunded` the refund (a charge lists its refunds newest first: the newest is the one that event is about);
 * checkout sessions, subscriptions and invoices are mapped in `stripe-billing.ts`, disputes in `stripe-disputes.ts`;
 * other types carry no object and are recorded as ignored by the consumer.
 */
export function stripeEventOf(event: Stripe.Event): ProviderEvent {
  const base: ProviderEvent = { id: event.id, provider: 'stripe', type: event.type, createdAt: event.created * 1000 };
  const other = billingOfStripeEvent(event) ?? disputeOfStripeEvent(event);
  if (other) return { ...base, ...other };
  const object = event.data.object;
  if (event.type.startsWith('payment_intent.') && object.object === 'payment_intent') {
    // `created` is whole seconds, while a direct answer is recorded at its millisecond: the event stands for the end
    // of its second, so that a change in the same second as a recorded answer is not taken for an older state (the
    // consumer's status rank still keeps a stale status from winning).
    return { ...base, intent: intentOf(object, base.createdAt + 999) };
  }
  let refund: Stripe.Refund | undefined;
  if (event.type.startsWith('refund.') && object.object === 'refund') refund = object;
  if (event.type === 'charge.refunded' && object.object === 'charge') refund = object.refunds?.data[0];
  const paymentProviderId = refund ? paymentIdOf(refund.payment_intent) : null;
  if (!refund || paymentProviderId === null) return base;
  return { ...base, refund: { ...refundOf(refund), paymentProviderId } };
}
