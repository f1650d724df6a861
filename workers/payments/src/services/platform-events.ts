import type { PlatformEvent } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import type { ProviderIntent } from '../providers/provider.js';
import type { SubscriptionStatus } from '../providers/provider-billing.js';
import type { PaymentRow } from './payment-rows.js';
import { planNamed } from './plans.js';
import type { RefundRow } from './refund-rows.js';
import type { SubscriptionRow } from './subscription-rows.js';

// Business events for the analytics Worker's revenue, refund and MRR figures. Each id is the object and its
// transition (`payment.succeeded:<pay_id>`), so whichever path records a transition (an API answer, a provider event,
// a redelivery, a retry after a crash) and however often it is told, analytics counts it once.

const log = createLogger({ service: 'payments' });

/**
 * Puts events on the platform-events queue. Throws when the queue refuses them, so that a provider event being
 * applied is retried (and tells them again, under the same ids).
 */
export async function publishPlatformEvents(
  env: Pick<PaymentsEnv, 'PLATFORM_EVENTS'>,
  events: PlatformEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await env.PLATFORM_EVENTS.sendBatch(events.map((body) => ({ body, contentType: 'json' as const })));
}

/** As publishPlatformEvents, for a change already recorded that a failed send must not undo: logged, then lost. */
export async function publishAfterWrite(env: Pick<PaymentsEnv, 'PLATFORM_EVENTS'>, events: PlatformEvent[]) {
  try {
    await publishPlatformEvents(env, events);
  } catch (err) {
    log.error('platform events not sent', { ids: events.map((e) => e.id).join(','), err: String(err) });
  }
}

const envelope = (id: string, userId: string) => ({
  kind: 'platform-event' as const,
  id,
  occurredAt: new Date().toISOString(),
  userId,
});

/** `payment.succeeded` for a payment that has just succeeded, with what was captured. */
export function paymentSucceeded(payment: {
  id: string;
  userId: string;
  provider: string;
  amount: number;
  currency: string;
}): PlatformEvent {
  return {
    ...envelope(`payment.succeeded:${payment.id}`, payment.userId),
    type: 'payment.succeeded',
    data: { paymentId: payment.id, provider: payment.provider, amount: payment.amount, currency: payment.currency },
  };
}

/** What moving `row` (as recorded before) to the provider's `intent` publishes: `payment.succeeded` on success. */
export function paymentEvents(row: PaymentRow, intent: ProviderIntent): PlatformEvent[] {
  if (intent.status !== 'succeeded' || row.status === 'succeeded') return [];
  return [paymentSucceeded({ ...row, amount: intent.amountCaptured })];
}

/** `payment.refunded` for a refund that has succeeded. */
export function refundEvents(refund: RefundRow): PlatformEvent[] {
  if (refund.status !== 'succeeded') return [];
  return [
    {
      ...envelope(`payment.refunded:${refund.id}`, refund.userId),
      type: 'payment.refunded',
      data: { paymentId: refund.paymentId, refundId: refund.id, amount: refund.amount, currency: refund.currency },
    },
  ];
}

/** Statuses of a subscription that was paid for: its end takes its amount out of MRR. */
const STARTED: readonly SubscriptionStatus[] = ['active', 'past_due', 'unpaid', 'paused'];

/** A plan's price as the contract's month or year: a daily or weekly plan as its monthly equivalent. */
function priceOf(plan: { amount: number; interval: 'day' | 'week' | 'month' | 'year' }) {
  if (plan.interval === 'month' || plan.interval === 'year') return { amount: plan.amount, interval: plan.interval };
  const perYear = plan.interval === 'day' ? 365 : 52;
  return { amount: Math.round((plan.amount * perYear) / 12), interval: 'month' as const };
}

/**
 * What a subscription's move from `before` (null: a new row) to `row.status` publishes: `subscription.started` when
 * it first becomes active (not while incomplete or trialing, which bring no revenue), `subscription.canceled` when
 * one that had started is canceled. A plan no longer in PAYMENT_PLANS has no price to count: nothing, logged.
 */
export function subscriptionEvents(
  env: Pick<PaymentsEnv, 'PAYMENT_PLANS'>,
  row: SubscriptionRow,
  before: SubscriptionStatus | null,
): PlatformEvent[] {
  const started = row.status === 'active' && (before === null || before === 'incomplete' || before === 'trialing');
  const canceled = row.status === 'canceled' && before !== null && STARTED.includes(before);
  if (!started && !canceled) return [];
  const plan = planNamed(env, row.plan);
  if (!plan) {
    log.warn('subscription event without a plan price', { subscriptionId: row.id, plan: row.plan });
    return [];
  }
  const data = { subscriptionId: row.id, planId: plan.id, currency: plan.currency, ...priceOf(plan) };
  return [
    started
      ? { ...envelope(`subscription.started:${row.id}`, row.userId), type: 'subscription.started', data }
      : { ...envelope(`subscription.canceled:${row.id}`, row.userId), type: 'subscription.canceled', data },
  ];
}
