import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { providerEvents } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';

/**
 * What the payment-events queue carries: an event's id, and the event itself when it was queued before being stored
 * (`acceptEvent`); without it the consumer reads the stored event from D1.
 */
export interface PaymentEventMessage {
  eventId: string;
  event?: ProviderEvent;
  /** When the webhook was received (ISO 8601), for the row the consumer stores. */
  receivedAt?: string;
}

/** Whether an event was new, seen before and still waiting, or seen before and already settled. */
export type Receipt = 'queued' | 'requeued' | 'duplicate';

/**
 * Step 4 of the flow for an event the platform makes or fetches itself (the sandbox's state changes, reconciliation's
 * repairs; a webhook too large for a queue message): stored by the provider's event id, then put on the
 * payment-events queue as its id. Webhooks take `acceptEvent`.
 *
 * Retries and duplicates: the insert keeps the first copy (`ON CONFLICT DO NOTHING`). A copy of an event that is
 * still `pending` is queued again, since the first enqueue may have been lost after the insert (the consumer applies
 * an event once, whoever asks); a copy of a settled one changes nothing. An enqueue that fails throws, the provider
 * gets a 5xx and delivers again: the row waits as `pending` until then.
 */
export async function receiveEvent(
  env: { DB: D1Database; PAYMENT_EVENTS: Queue<PaymentEventMessage> },
  event: ProviderEvent,
  delaySeconds?: number,
): Promise<Receipt> {
  const db = dbOf(env.DB);
  const inserted = await db
    .insert(providerEvents)
    .values({ id: event.id, type: event.type, provider: event.provider, payload: event, status: 'pending' })
    .onConflictDoNothing()
    .returning({ id: providerEvents.id });
  let receipt: Receipt = 'queued';
  if (inserted.length === 0) {
    const seen = await db
      .select({ status: providerEvents.status })
      .from(providerEvents)
      .where(eq(providerEvents.id, event.id))
      .get();
    if (seen?.status !== 'pending') return 'duplicate';
    receipt = 'requeued';
  }
  await env.PAYMENT_EVENTS.send({ eventId: event.id }, delaySeconds ? { delaySeconds } : undefined);
  return receipt;
}

/**
 * A queue message holds at most 128 KB. A mapped event (ids, amounts, states, a few URLs and messages) is a few KB;
 * one over this bound (a provider's unusually long text) is stored first, as `receiveEvent` stores it.
 */
const QUEUED_EVENT_MAX_BYTES = 96 * 1024;

/**
 * Step 4 of the flow for a provider's webhook: the verified event goes on the payment-events queue whole, and the
 * provider gets its 200 once the queue holds it (a send resolves only when the message is durable). The consumer
 * stores each batch's events by id in one D1 batch (duplicates, in one batch or across several, keep the first
 * copy) and applies them. Storing before answering would put a D1 write, the costliest step, on every
 * acknowledgement, one commit per event on a database that has a single writer.
 *
 * Retries and duplicates: a redelivery is queued again and recognised by its id when the consumer stores it. An
 * enqueue that fails throws, the provider gets a 5xx and delivers again; nothing was stored.
 */
export async function acceptEvent(
  env: { DB: D1Database; PAYMENT_EVENTS: Queue<PaymentEventMessage> },
  event: ProviderEvent,
): Promise<Receipt> {
  const message: PaymentEventMessage = { eventId: event.id, event, receivedAt: new Date().toISOString() };
  if (new TextEncoder().encode(JSON.stringify(message)).byteLength > QUEUED_EVENT_MAX_BYTES) {
    return receiveEvent(env, event);
  }
  await env.PAYMENT_EVENTS.send(message);
  return 'queued';
}
