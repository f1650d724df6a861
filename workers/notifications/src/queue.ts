import { NotificationMessageSchema, QUEUE_NAMES, queueBaseName } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { dbOf } from './db/client.js';
import { deliveries } from './db/schema.js';
import { type DeliverDeps, deliver, retryDelaySeconds } from './services/deliver.js';
import { type DeliveryMessage, ERASE_IF_SECURITY } from './services/deliveries.js';
import { sendNotification } from './services/send.js';

const log = createLogger({ service: 'notifications' });

function isDeliveryMessage(body: unknown): body is DeliveryMessage {
  const b = body as Partial<DeliveryMessage> | null;
  return typeof b === 'object' && b !== null && b.kind === 'delivery' && typeof b.deliveryId === 'string';
}

async function handle(message: Message<unknown>, env: NotificationsEnv, deps: DeliverDeps): Promise<void> {
  if (isDeliveryMessage(message.body)) {
    const result = await deliver(env, message.body.deliveryId, deps);
    if (result.action === 'ack') message.ack();
    else if (result.action === 'retry') message.retry({ delaySeconds: result.delaySeconds });
    else {
      // A fresh message first: if the send fails the old one is retried, so the delivery is never left behind.
      await env.NOTIFICATIONS_QUEUE.send(message.body, { delaySeconds: result.delaySeconds, contentType: 'json' });
      message.ack();
    }
    return;
  }
  const parsed = NotificationMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    // Retrying cannot fix a malformed message; it is logged and dropped so it does not block the queue.
    log.error('malformed notification message', { id: message.id, issues: parsed.error.issues.length });
    message.ack();
    return;
  }
  const m = parsed.data;
  // The same fan-out as an RPC send; its idempotency key makes a redelivered message a no-op.
  const result = await sendNotification(env, {
    to: m.to,
    template: m.template,
    data: m.data,
    idempotencyKey: m.idempotencyKey,
    category: m.category,
    ...(m.locale ? { locale: m.locale } : {}),
    ...(m.toAddress ? { toAddress: m.toAddress } : {}),
  });
  if (!result.ok) log.error('notification refused', { id: message.id, template: m.template, ...result.error });
  else if (result.data.skipped) log.info('notification skipped', { id: message.id, reason: result.data.skipped });
  message.ack();
}

/** Marks the delivery of a message that ran out of retries as failed, with the last error it had. */
async function deadLetter(message: Message<unknown>, env: NotificationsEnv): Promise<void> {
  if (isDeliveryMessage(message.body)) {
    await dbOf(env.DB)
      .update(deliveries)
      .set({
        status: 'failed',
        leaseUntil: null,
        updatedAt: new Date().toISOString(),
        ...ERASE_IF_SECURITY,
        // Raw SQL: the reason is built from the row's own attempts and error; drizzle has no concatenation.
        error: sql`'dead-lettered after ' || ${deliveries.attempts} || ' attempts: ' || coalesce(${deliveries.error}, 'no error recorded')`,
      })
      .where(and(eq(deliveries.id, message.body.deliveryId), inArray(deliveries.status, ['queued', 'sending'])));
  } else {
    // Ids only: the body of identity's request holds the verification or reset link itself.
    const b = message.body as { idempotencyKey?: unknown; template?: unknown } | null;
    log.error('notification request dead-lettered', {
      id: message.id,
      idempotencyKey: typeof b?.idempotencyKey === 'string' ? b.idempotencyKey : null,
      template: typeof b?.template === 'string' ? b.template : null,
    });
  }
  message.ack();
}

/**
 * The notifications queue carries two kinds of message: requests to notify (identity's `notification`), fanned out
 * into delivery rows, and `delivery` messages, one per row, that send it. The dead-letter queue's messages are
 * recorded as failures. Anything that throws is retried with back-off.
 */
export async function consumeNotifications(
  batch: MessageBatch<unknown>,
  env: NotificationsEnv,
  deps: DeliverDeps = {},
): Promise<void> {
  const dlq = queueBaseName(batch.queue) === QUEUE_NAMES.notificationsDlq;
  // The messages of a batch are independent (each claims its own row; paced providers hand out slots in order), so
  // they run side by side: the batch takes as long as its slowest message, not the sum of them.
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        if (dlq) await deadLetter(message, env);
        else await handle(message, env, deps);
      } catch (err) {
        log.error('notification message failed', { id: message.id, queue: batch.queue, err: String(err) });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }),
  );
}
