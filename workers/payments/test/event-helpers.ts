import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { dbOf } from '../src/db/client.js';
import { providerEvents } from '../src/db/schema.js';
import worker from '../src/index.js';
import type { ProviderEvent, ProviderIntent } from '../src/providers/provider.js';

const db = dbOf(env.DB);

/** Hands `{ eventId }` messages to the Worker's queue handler as one batch, as the platform would. */
export function deliver(eventIds: string[], queue = 'onasis-payment-events') {
  return deliverBodies(
    eventIds.map((eventId) => ({ eventId })),
    queue,
  );
}

/**
 * Hands messages of any body to the queue handler as one batch (message `i` has an id starting `msg-i-`), with the
 * Worker's env or `bindings`.
 */
export async function deliverBodies(bodies: unknown[], queue = 'onasis-payment-events', bindings: typeof env = env) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  await worker.queue(batch, bindings);
  return getQueueResult(batch, createExecutionContext());
}

/** Stores an event as `receiveEvent` would, without queueing it: the test delivers it itself. */
export async function storeEvent(
  type: string,
  intent?: ProviderIntent,
  refund?: ProviderEvent['refund'],
): Promise<string> {
  const event: ProviderEvent = {
    id: `sbx_evt_${crypto.randomUUID()}`,
    provider: 'sandbox',
    type,
    createdAt: Date.now(),
    ...(intent && { intent }),
    ...(refund && { refund }),
  };
  await db
    .insert(providerEvents)
    .values({ id: event.id, type, provider: 'sandbox', payload: event, status: 'pending' });
  return event.id;
}
