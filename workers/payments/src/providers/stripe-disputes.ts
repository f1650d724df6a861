import type Stripe from 'stripe';
import type { ProviderEvent } from './provider.js';
import { DISPUTE_STATUSES, type DisputeStatus, type ProviderDispute } from './provider-disputes.js';

const DISPUTE_EVENTS = new Set([
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
]);

/** Stripe's fee for a dispute where the balance transaction does not say (1500 minor units for usd). */
export const STRIPE_DISPUTE_FEE = 1500;

const isDisputeStatus = (status: string): status is DisputeStatus =>
  (DISPUTE_STATUSES as readonly string[]).includes(status);

/** Stripe's statuses beyond the platform's model, mapped to the nearest: an appeal is a dispute still open. */
const NEAREST: Record<string, DisputeStatus> = {
  appeal_needs_response: 'needs_response',
  appeal_under_review: 'under_review',
  // Prevented (refunded through a network's early alert): no chargeback, the merchant keeps the outcome.
  prevented: 'warning_closed',
};

/** A Stripe dispute status in the platform's model; one newer than this code knows is still open. */
const statusOf = (status: string): DisputeStatus =>
  isDisputeStatus(status) ? status : (NEAREST[status] ?? 'needs_response');

/**
 * A Stripe Dispute in the platform's model. Its `balance_transactions` say what moved: a negative one is the
 * withdrawal of the disputed amount (its `fee` is Stripe's dispute fee), a positive one the reinstatement after a won
 * dispute. Stripe keeps the fee when it reinstates the amount, so only the amount comes back.
 */
export function disputeOf(dispute: Stripe.Dispute, updatedAt: number): ProviderDispute | undefined {
  const pi = dispute.payment_intent;
  const paymentProviderId = typeof pi === 'string' ? pi : (pi?.id ?? null);
  if (paymentProviderId === null) return undefined;
  const transactions = dispute.balance_transactions ?? [];
  const withdrawals = transactions.filter((t) => t.amount < 0);
  const fundsWithdrawn = withdrawals.length > 0;
  const fee = withdrawals.reduce((sum, t) => sum + (t.fee ?? 0), 0);
  const dueBy = dispute.evidence_details?.due_by;
  return {
    providerId: dispute.id,
    paymentProviderId,
    amount: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason,
    status: statusOf(dispute.status),
    fee: fundsWithdrawn && fee === 0 ? STRIPE_DISPUTE_FEE : fee,
    fundsWithdrawn,
    fundsReinstated: transactions.some((t) => t.amount > 0),
    ...(dueBy ? { evidenceDueBy: dueBy * 1000 } : {}),
    updatedAt,
  };
}

/**
 * A `charge.dispute.*` event mapped, or undefined for any other type. As for payment intents, the event stands for
 * the end of its (whole) second, so that its order against a direct answer recorded in the same second holds.
 */
export function disputeOfStripeEvent(event: Stripe.Event): Pick<ProviderEvent, 'dispute'> | undefined {
  if (!DISPUTE_EVENTS.has(event.type)) return undefined;
  const object = event.data.object;
  if (object.object !== 'dispute') return undefined;
  const dispute = disputeOf(object, event.created * 1000 + 999);
  return dispute ? { dispute } : undefined;
}
