import type { NotificationMessage } from '@onasis/contracts';

/**
 * The `payments.*` templates (built into the notifications Worker): receipts, refund notices, failed payments and
 * renewal problems go to the payer, disputes to the addresses in `PAYMENTS_ALERTS_TO`.
 */
export const PAYMENT_TEMPLATES = [
  'payments.receipt',
  'payments.refund',
  'payments.payment-failed',
  'payments.renewal-failed',
  'payments.subscription-canceled',
  'payments.dispute-opened',
] as const;

/** One of the payments templates. */
export type PaymentTemplate = (typeof PAYMENT_TEMPLATES)[number];

/** A notice to send: `idempotencyKey` comes from the provider event (or the object) that caused it. */
export interface PaymentNotice {
  /** A user id (`usr_…`) or an email address. */
  to: string;
  template: PaymentTemplate;
  data: Record<string, unknown>;
  idempotencyKey: string;
}

/**
 * Puts notices on the notifications queue (category `billing`). Called after the state change is committed: a crash
 * between the two loses nothing the retry of the same event does not send again, and a redelivered event sends the
 * same idempotency key, which the notifications Worker drops as a duplicate.
 */
export async function notify(env: Pick<PaymentsEnv, 'NOTIFICATIONS_QUEUE'>, notices: PaymentNotice[]): Promise<void> {
  if (notices.length === 0) return;
  const createdAt = new Date().toISOString();
  await env.NOTIFICATIONS_QUEUE.sendBatch(
    notices.map((n) => ({
      body: {
        kind: 'notification',
        idempotencyKey: n.idempotencyKey,
        to: n.to,
        template: n.template,
        category: 'billing',
        data: n.data,
        createdAt,
      } satisfies NotificationMessage,
      contentType: 'json' as const,
    })),
  );
}
