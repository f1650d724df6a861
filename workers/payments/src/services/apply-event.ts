import { and, eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { type Db, dbOf } from '../db/client.js';
import { paymentIntents, providerEvents } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';
import { canMove } from './intent-states.js';
import { abortUnlessChanged, isLostRace, type PaymentRow } from './payment-rows.js';
import { intentStatements } from './record-intent.js';

/** What became of an event: applied now, or settled before (or now) without changing anything. */
export type EventOutcome = 'applied' | 'ignored' | 'already-settled';

/** Why an event changes nothing, or null when it moves the payment. */
function staleness(row: PaymentRow, event: ProviderEvent & { intent: object }): string | null {
  const intent = event.intent;
  if (row.providerUpdatedAt !== null && intent.updatedAt < row.providerUpdatedAt)
    return 'older than the recorded state';
  if (intent.status === row.status) {
    return intent.amountCaptured > row.amountCaptured ? null : 'the recorded state already';
  }
  return canMove(row.status, intent.status) ? null : `${row.status} never moves to ${intent.status}`;
}

async function settle(db: Db, id: string, status: 'ignored' | 'applied', error: string | null): Promise<void> {
  await db
    .update(providerEvents)
    .set({ status, error, processedAt: new Date().toISOString() })
    .where(and(eq(providerEvents.id, id), eq(providerEvents.status, 'pending')));
}

/**
 * Applies a stored provider event once (the payment-events consumer). Delivery is at least once and in any order:
 * - an event already `applied` or `ignored` is acknowledged and nothing else;
 * - the payment is found by `(provider, providerIntentId)`; an event about a payment not recorded (yet) throws, so
 *   the queue retries it (a create still finishing), and the DLQ marks it `failed` for reconciliation;
 * - an older state than the recorded one (`provider_updated_at`), the recorded state itself, or a move the state
 *   machine forbids (`succeeded` is never followed by `processing`) is recorded `ignored`;
 * - otherwise one batch claims the event (`pending` → `applied`), moves the payment (guarded by `version`) and writes
 *   the capture's ledger movement if more was captured. Parallel deliveries race on the claim: one batch lands, the
 *   others fail whole and find the event settled when they look again. A payment moved meanwhile by an API call also
 *   fails the batch; the consumer retries and judges the event against the new state.
 */
export async function applyEvent(env: { DB: D1Database }, eventId: string): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  const stored = await db.select().from(providerEvents).where(eq(providerEvents.id, eventId)).get();
  if (stored === undefined) return 'already-settled';
  if (stored.status !== 'pending') return 'already-settled';
  const event = stored.payload as ProviderEvent;
  const intent = event.intent;
  if (!intent) {
    await settle(db, eventId, 'ignored', 'a type the platform does not apply');
    return 'ignored';
  }
  const row = await db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.provider, event.provider), eq(paymentIntents.providerIntentId, intent.providerId)))
    .get();
  if (!row) throw new Error(`no payment recorded for ${event.provider} ${intent.providerId}`);
  const stale = staleness(row, { ...event, intent });
  if (stale !== null) {
    await settle(db, eventId, 'ignored', stale);
    return 'ignored';
  }
  const claim: BatchItem<'sqlite'> = db
    .update(providerEvents)
    .set({ status: 'applied', error: null, processedAt: new Date().toISOString() })
    .where(and(eq(providerEvents.id, eventId), eq(providerEvents.status, 'pending')));
  try {
    await db.batch([claim, abortUnlessChanged(db, row.id), ...intentStatements(db, row, intent)]);
  } catch (err) {
    if (!isLostRace(err)) throw err;
    const again = await db
      .select({ status: providerEvents.status })
      .from(providerEvents)
      .where(eq(providerEvents.id, eventId))
      .get();
    if (again?.status !== 'pending') return 'already-settled';
    throw new Error(`payment ${row.id} moved while event ${eventId} was applied; retrying`);
  }
  return 'applied';
}

/** The DLQ's end of an event: `failed`, with the last error the consumer saw (reconciliation repairs it later). */
export async function failEvent(env: { DB: D1Database }, eventId: string): Promise<void> {
  const db = dbOf(env.DB);
  const stored = await db
    .select({ error: providerEvents.error })
    .from(providerEvents)
    .where(eq(providerEvents.id, eventId))
    .get();
  await db
    .update(providerEvents)
    .set({
      status: 'failed',
      error: stored?.error ?? 'gave up after the queue retries',
      processedAt: new Date().toISOString(),
    })
    .where(and(eq(providerEvents.id, eventId), eq(providerEvents.status, 'pending')));
}

/** Notes why applying an event failed, for the DLQ to keep when the retries run out. */
export async function noteEventError(env: { DB: D1Database }, eventId: string, error: string): Promise<void> {
  await dbOf(env.DB)
    .update(providerEvents)
    .set({ error: error.slice(0, 1000) })
    .where(and(eq(providerEvents.id, eventId), eq(providerEvents.status, 'pending')));
}
