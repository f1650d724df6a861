import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { providerEvents } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';

/** What the payment-events queue carries: the id of a stored event; the consumer reads the event from D1. */
export interface PaymentEventMessage {
  eventId: string;
}

/** Whether an event was new, seen before and still waiting, or seen before and already settled. */
export type Receipt = 'queued' | 'requeued' | 'duplicate';

/**
 * Step 4 of the flow for every verified event (a webhook, or the sandbox's own state change): stored by the
 * provider's event id, then put on the payment-events queue, and nothing else before the provider gets its 200.
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
