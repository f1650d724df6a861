import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { deliveries } from '../db/schema.js';
import type { DeliveryMessage } from './deliveries.js';

/** A Queues `sendBatch` takes at most 100 messages and 256 KB in all. */
export const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 256 * 1024;
// Per-message room for what the platform adds to a body (content type, delay); generous on purpose.
const PER_MESSAGE_OVERHEAD = 256;

/** Anything with the Queues producer's `sendBatch` (the real queue, or a recorder in tests). */
export interface BatchQueue<T> {
  sendBatch(messages: Iterable<MessageSendRequest<T>>): Promise<unknown>;
}

const sizeOf = (m: MessageSendRequest<unknown>) =>
  new TextEncoder().encode(JSON.stringify(m.body)).byteLength + PER_MESSAGE_OVERHEAD;

/**
 * Sends `messages` in as many `sendBatch` calls as the queue's limits need, in order, calling `onSent` after each.
 * A failure part-way leaves the later chunks unsent and throws, so `onSent` has marked exactly what went out.
 */
export async function sendInBatches<T>(
  queue: BatchQueue<T>,
  messages: MessageSendRequest<T>[],
  onSent: (chunk: MessageSendRequest<T>[]) => Promise<unknown> = async () => {},
): Promise<void> {
  let chunk: MessageSendRequest<T>[] = [];
  let bytes = 0;
  const flush = async () => {
    await queue.sendBatch(chunk);
    await onSent(chunk);
    chunk = [];
    bytes = 0;
  };
  for (const message of messages) {
    const size = sizeOf(message);
    if (chunk.length > 0 && (chunk.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) await flush();
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) await flush();
}

const deliveryMessage = (deliveryId: string): MessageSendRequest<DeliveryMessage> => ({
  body: { kind: 'delivery', deliveryId },
  contentType: 'json',
});

// D1 binds at most 100 parameters per statement; one is the timestamp.
const IDS_PER_UPDATE = 99;

/**
 * Queues one `delivery` message per id and stamps `enqueued_at` on the rows whose messages went out, chunk by chunk.
 * A row left unstamped (the queue failed) is one a replay of its request, or maintenance, sends again.
 */
export async function enqueueDeliveries(
  db: Db,
  queue: BatchQueue<DeliveryMessage>,
  ids: string[],
  now = new Date().toISOString(),
): Promise<void> {
  await sendInBatches(queue, ids.map(deliveryMessage), async (chunk) => {
    const sent = chunk.map((m) => m.body.deliveryId);
    const statements = [];
    for (let i = 0; i < sent.length; i += IDS_PER_UPDATE) {
      const part = sent.slice(i, i + IDS_PER_UPDATE);
      statements.push(db.update(deliveries).set({ enqueuedAt: now }).where(inArray(deliveries.id, part)));
    }
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
  });
}
