import { NotificationMessageSchema } from '@onasis/contracts';

/**
 * Records each requested notification as a delivery. Until providers and templates are wired, every channel is the
 * sandbox: the delivery keeps the message's variables so that a developer (and the end-to-end suite) can read
 * what would have been sent. A redelivered message hits the unique idempotency key and changes nothing.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: NotificationsEnv): Promise<void> {
  for (const message of batch.messages) {
    const parsed = NotificationMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // Retrying cannot fix a malformed message; it is logged and dropped so it does not block the queue.
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'malformed notification message',
          id: message.id,
          issues: parsed.error.issues.length,
        }),
      );
      message.ack();
      continue;
    }
    const m = parsed.data;
    try {
      await env.DB.prepare(
        `INSERT INTO deliveries (id, idempotency_key, recipient, channel, template, status, provider, data, category)
         VALUES (?, ?, ?, 'email', ?, 'sent', 'sandbox', ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING`,
      )
        .bind(
          `dlv_${crypto.randomUUID().replaceAll('-', '')}`,
          m.idempotencyKey,
          m.toAddress ?? m.to,
          m.template,
          JSON.stringify(m.data),
          m.category,
        )
        .run();
      message.ack();
    } catch (err) {
      console.error(
        JSON.stringify({ level: 'error', msg: 'recording a delivery failed', id: message.id, err: String(err) }),
      );
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
