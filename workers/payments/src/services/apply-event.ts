import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { providerEvents } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';
import { applyBillingEvent } from './apply-billing-event.js';
import { applyDisputeEvent } from './apply-dispute-event.js';
import { applyRefundEvent } from './apply-refund-event.js';
import { claimEvent, type EventOutcome, markEvent, settledElsewhere } from './event-marks.js';
import { canMove } from './intent-states.js';
import { notify } from './notify.js';
import { paymentNotices } from './payment-notices.js';
import { abortUnlessChanged, isLostRace, type PaymentRow, paymentByProviderId } from './payment-rows.js';
import { paymentEvents, publishPlatformEvents } from './platform-events.js';
import { intentStatements } from './record-intent.js';

/** Why an event changes nothing, or null when it moves the payment. */
function staleness(row: PaymentRow, event: ProviderEvent & { intent: object }): string | null {
  const intent = event.intent;
  if (row.providerUpdatedAt !== null && intent.updatedAt < row.providerUpdatedAt)
    return 'older than the recorded state';
  if (intent.status === row.status) {
    // Same status: news only if more was captured, or a new refusal (a second decline) to show the payer.
    const newError =
      (intent.lastError?.code ?? null) !== (row.lastError?.code ?? null) && intent.lastError !== undefined;
    return intent.amountCaptured > row.amountCaptured || newError ? null : 'the recorded state already';
  }
  return canMove(row.status, intent.status) ? null : `${row.status} never moves to ${intent.status}`;
}

/**
 * Applies a stored provider event once (the payment-events consumer). Delivery is at least once and in any order:
 * - an event already `applied` or `ignored` is acknowledged and nothing else;
 * - a refund's event settles a `pending` refund (`apply-refund-event.ts`), a dispute's moves the dispute and its
 *   ledger movements (`apply-dispute-event.ts`), a checkout's, subscription's or invoice's the billing records
 *   (`apply-billing-event.ts`);
 * - the payment is found by `(provider, providerIntentId)`; an event about a payment not recorded (yet) throws, so
 *   the queue retries it (a create still finishing), and the DLQ marks it `failed` for reconciliation;
 * - an older state than the recorded one (`provider_updated_at`), the recorded state itself, or a move the state
 *   machine forbids (`succeeded` is never followed by `processing`) is recorded `ignored`;
 * - otherwise one batch claims the event (`pending` → `applied`), moves the payment (guarded by `version`) and writes
 *   the capture's ledger movement if more was captured. Parallel deliveries race on the claim: one batch lands, the
 *   others fail whole and find the event settled when they look again. A payment moved meanwhile by an API call also
 *   fails the batch; the consumer retries and judges the event against the new state.
 */
export async function applyEvent(env: PaymentsEnv, eventId: string): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  const stored = await db.select().from(providerEvents).where(eq(providerEvents.id, eventId)).get();
  if (stored === undefined) return 'already-settled';
  if (stored.status !== 'pending') return 'already-settled';
  return applyPendingEvent(env, eventId, stored.payload as ProviderEvent);
}

/** Whether the platform acts on an event at all; one it does not is only recorded `ignored`. */
export function actsOn(event: ProviderEvent): boolean {
  return Boolean(
    event.refund || event.dispute || event.checkoutSession || event.subscription || event.invoice || event.intent,
  );
}

/** Why an event the platform does not act on is `ignored`. */
export const NOT_APPLIED = 'a type the platform does not apply';

/** `applyEvent` for an event already read as `pending` (the consumer reads a whole batch of them at once). */
export async function applyPendingEvent(
  env: PaymentsEnv,
  eventId: string,
  event: ProviderEvent,
): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  if (event.refund) return applyRefundEvent(env, eventId, event.provider, event.refund);
  if (event.dispute) return applyDisputeEvent(env, eventId, event);
  if (event.checkoutSession || event.subscription || event.invoice) return applyBillingEvent(env, eventId, event);
  const intent = event.intent;
  if (!intent) {
    await markEvent(db, eventId, 'ignored', NOT_APPLIED);
    return 'ignored';
  }
  const row = await paymentByProviderId(db, event.provider, intent.providerId);
  if (!row) throw new Error(`no payment recorded for ${event.provider} ${intent.providerId}`);
  const stale = staleness(row, { ...event, intent });
  if (stale !== null) {
    await markEvent(db, eventId, 'ignored', stale);
    return 'ignored';
  }
  // Told before the batch: a crash after it would leave the event applied and its retry `already-settled`, with
  // nobody told. A retry sends the same idempotency keys and event ids, which notifications and analytics drop as
  // duplicates.
  await notify(env, paymentNotices(row, intent, eventId));
  await publishPlatformEvents(env, paymentEvents(row, intent));
  try {
    await db.batch([claimEvent(db, eventId), abortUnlessChanged(db, row.id), ...intentStatements(db, row, intent)]);
  } catch (err) {
    if (!isLostRace(err)) throw err;
    return settledElsewhere(db, eventId, `payment ${row.id}`);
  }
  return 'applied';
}
