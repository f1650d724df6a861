import { QUEUE_NAMES, queueBaseName } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { applyEvent } from './services/apply-event.js';
import { failEvent, noteEventError } from './services/event-marks.js';

const log = createLogger({ service: 'payments' });

const eventIdOf = (body: unknown): string | null =>
  typeof body === 'object' && body !== null && typeof (body as { eventId?: unknown }).eventId === 'string'
    ? (body as { eventId: string }).eventId
    : null;

/**
 * The payment-events queue and its DLQ (names carry `-staging`/`-production` outside local). Messages of a batch run
 * concurrently. A message whose event cannot be applied yet is retried by the queue, its error noted on the event;
 * after the queue's retries it reaches the DLQ, whose consumer marks the event `failed`. A malformed message is
 * dropped: nothing stored names it.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: PaymentsEnv): Promise<void> {
  const base = queueBaseName(batch.queue);
  if (base !== QUEUE_NAMES.paymentEvents && base !== QUEUE_NAMES.paymentEventsDlq) {
    throw new Error(`no consumer for queue ${batch.queue}`);
  }
  await Promise.all(
    batch.messages.map(async (message) => {
      const eventId = eventIdOf(message.body);
      if (eventId === null) {
        log.error('dropped malformed payment-event message', { queue: batch.queue });
        return message.ack();
      }
      try {
        if (base === QUEUE_NAMES.paymentEventsDlq) await failEvent(env, eventId);
        else await applyEvent(env, eventId);
        message.ack();
      } catch (err) {
        log.error('payment event not applied', { eventId, err: String(err) });
        await noteEventError(env, eventId, String(err)).catch(() => {});
        message.retry();
      }
    }),
  );
}
