import { QUEUE_NAMES, queueBaseName } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { dbOf } from './db/client.js';
import { PROVIDER_NAMES, type ProviderEvent } from './providers/provider.js';
import { actsOn, applyPendingEvent, NOT_APPLIED } from './services/apply-event.js';
import {
  failEvent,
  GAVE_UP,
  ignoreEvents,
  noteEventError,
  pendingEvents,
  storeEvents,
} from './services/event-marks.js';

const log = createLogger({ service: 'payments' });

/** Events read (and ignored) per statement: D1 binds at most 100 values. */
const IDS_PER_STATEMENT = 90;

interface Delivery {
  message: Message<unknown>;
  eventId: string;
  /** The event, when it was queued before being stored (`acceptEvent`), and when it was received. */
  event?: ProviderEvent;
  receivedAt?: string;
}

/** A message as `receiveEvent` (`{ eventId }`) or `acceptEvent` (`{ eventId, event }`) sends it, else null. */
function deliveryOf(message: Message<unknown>): Delivery | null {
  const body = message.body as { eventId?: unknown; event?: Partial<ProviderEvent>; receivedAt?: unknown } | null;
  if (typeof body !== 'object' || body === null || typeof body.eventId !== 'string') return null;
  const { eventId, event, receivedAt } = body;
  if (event === undefined) return { message, eventId };
  const wellFormed =
    typeof event === 'object' &&
    event !== null &&
    event.id === eventId &&
    typeof event.type === 'string' &&
    typeof event.createdAt === 'number' &&
    (PROVIDER_NAMES as readonly unknown[]).includes(event.provider);
  if (!wellFormed) return null;
  // A time that is not one is left out: the row is then stamped when it is stored.
  const ms = typeof receivedAt === 'string' ? Date.parse(receivedAt) : Number.NaN;
  const received = Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  return { message, eventId, event: event as ProviderEvent, ...(received !== undefined && { receivedAt: received }) };
}

/** The events `deliveries` carry, each once (its first copy's receipt time). */
function carriedEvents(deliveries: Delivery[]) {
  const events = new Map<string, { event: ProviderEvent; receivedAt?: string }>();
  for (const { event, receivedAt } of deliveries) {
    if (event !== undefined && !events.has(event.id)) events.set(event.id, { event, receivedAt });
  }
  return [...events.values()];
}

/** Runs `work` for `deliveries`: acknowledged when it succeeds, each retried by the queue (its error noted) if not. */
async function settle(env: PaymentsEnv, deliveries: Delivery[], work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
    for (const d of deliveries) d.message.ack();
  } catch (err) {
    for (const { message, eventId } of deliveries) {
      log.error('payment event not applied', { eventId, err: String(err) });
      await noteEventError(env, eventId, String(err)).catch(() => {});
      message.retry();
    }
  }
}

/**
 * One group of deliveries of the payment-events queue. The events they carry are stored in one D1 batch (a type the
 * platform does not act on, most of what a provider sends, as `ignored` at once), then their events are read in one
 * query: one settled already (or never stored) is acknowledged, one of an ignored type stored earlier is marked
 * `ignored` (one statement for all), and the rest are applied one by one, concurrently. A failed store or read
 * retries the whole group.
 */
async function applyGroup(env: PaymentsEnv, deliveries: Delivery[]): Promise<void> {
  const db = dbOf(env.DB);
  let pending: Map<string, ProviderEvent>;
  try {
    const carried = carriedEvents(deliveries);
    if (carried.length > 0) {
      await storeEvents(db, carried, (e) =>
        actsOn(e) ? { status: 'pending', error: null } : { status: 'ignored', error: NOT_APPLIED },
      );
    }
    pending = await pendingEvents(db, [...new Set(deliveries.map((d) => d.eventId))]);
  } catch (err) {
    return settle(env, deliveries, () => Promise.reject(err));
  }
  const ignored: Delivery[] = [];
  const applied: Promise<void>[] = [];
  for (const d of deliveries) {
    const event = pending.get(d.eventId);
    if (event === undefined) d.message.ack();
    else if (!actsOn(event)) ignored.push(d);
    else applied.push(settle(env, [d], () => applyPendingEvent(env, d.eventId, event)));
  }
  if (ignored.length > 0) {
    applied.push(
      settle(env, ignored, () => ignoreEvents(db, [...new Set(ignored.map((d) => d.eventId))], NOT_APPLIED)),
    );
  }
  await Promise.all(applied);
}

/**
 * The payment-events queue and its DLQ (names carry `-staging`/`-production` outside local). A message whose event
 * cannot be applied yet is retried by the queue, its error noted on the event; after the queue's retries it reaches
 * the DLQ, whose consumer marks the event `failed`. A malformed message is dropped: nothing stored names it.
 *
 * Retries and duplicates: every step changes only `pending` events, so a message delivered twice (in one batch or
 * two), or one whose event another delivery settled meanwhile, changes nothing the second time.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: PaymentsEnv): Promise<void> {
  const base = queueBaseName(batch.queue);
  if (base !== QUEUE_NAMES.paymentEvents && base !== QUEUE_NAMES.paymentEventsDlq) {
    throw new Error(`no consumer for queue ${batch.queue}`);
  }
  const deliveries: Delivery[] = [];
  for (const message of batch.messages) {
    const delivery = deliveryOf(message);
    if (delivery !== null) deliveries.push(delivery);
    else {
      log.error('dropped malformed payment-event message', { queue: batch.queue });
      message.ack();
    }
  }
  if (base === QUEUE_NAMES.paymentEventsDlq) {
    // An event the queue carried may never have been stored (its store failed every time): it is kept as `failed`.
    await settle(env, deliveries, async () => {
      await storeEvents(dbOf(env.DB), carriedEvents(deliveries), () => ({ status: 'failed', error: GAVE_UP }));
      await Promise.all(deliveries.map((d) => failEvent(env, d.eventId)));
    });
    return;
  }
  for (let i = 0; i < deliveries.length; i += IDS_PER_STATEMENT) {
    await applyGroup(env, deliveries.slice(i, i + IDS_PER_STATEMENT));
  }
}
