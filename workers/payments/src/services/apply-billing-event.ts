import { dbOf } from '../db/client.js';
import type { ProviderEvent } from '../providers/provider.js';
import { applyInvoiceEvent } from './billing-invoice-step.js';
import { applySubscriptionEvent } from './billing-subscription-step.js';
import { applyCheckoutEvent, type BillingStep } from './checkout-complete.js';
import { type EventOutcome, markEvent } from './event-marks.js';
import { notify } from './notify.js';
import { publishPlatformEvents } from './platform-events.js';
import { syncUserPlan } from './subscription-plan.js';

/** Queues cap a message's delay at 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

/**
 * Applies a checkout session's, subscription's or invoice's event to the billing records, once. In order: the
 * checkout (which may start a subscription), the subscription, the invoice (which needs its subscription); then the
 * user's plan is set in identity from the rows as they now stand, the notices and business events go out, and only
 * then is the event marked, so that a failure at any step (identity down, a queue send) throws and the queue retries
 * the whole event: every step is idempotent (guarded rows, derived ids, notices and events keyed by the event or the
 * object).
 *
 * A sandbox event dated in the future (a cancellation at period end) is put back on the queue until its time, as
 * far as a queue delay reaches, and stays `pending`.
 */
export async function applyBillingEvent(
  env: PaymentsEnv,
  eventId: string,
  event: ProviderEvent,
): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  const wait = Math.ceil((event.createdAt - Date.now()) / 1000);
  if (event.provider === 'sandbox' && wait > 0) {
    await env.PAYMENT_EVENTS.send({ eventId }, { delaySeconds: Math.min(wait, MAX_DELAY_SECONDS) });
    return 'ignored';
  }
  const steps: BillingStep[] = [];
  if (event.checkoutSession) steps.push(await applyCheckoutEvent(env, db, event, event.checkoutSession));
  if (event.subscription && !event.checkoutSession) {
    steps.push(await applySubscriptionEvent(env, db, event, event.subscription));
  }
  if (event.invoice) steps.push(await applyInvoiceEvent(db, event, event.invoice));
  for (const userId of new Set(steps.flatMap((s) => s.userIds))) await syncUserPlan(env, db, userId);
  await notify(
    env,
    steps.flatMap((s) => s.notices),
  );
  await publishPlatformEvents(
    env,
    steps.flatMap((s) => s.events ?? []),
  );
  const changed = steps.some((s) => s.changed);
  const notes = steps.flatMap((s) => (s.note ? [s.note] : []));
  await markEvent(
    db,
    eventId,
    changed ? 'applied' : 'ignored',
    changed ? null : notes.join('; ') || 'nothing to apply',
  );
  return changed ? 'applied' : 'ignored';
}
