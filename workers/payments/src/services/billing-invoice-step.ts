import type { Db } from '../db/client.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { ProviderInvoice } from '../providers/provider-billing.js';
import type { BillingStep } from './checkout-complete.js';
import { recordInvoice } from './invoice-record.js';
import type { PaymentNotice } from './notify.js';
import { paymentSucceeded } from './platform-events.js';

/**
 * `invoice.paid|payment_succeeded|payment_failed|finalized`: the invoice is upserted (and its payment recorded). A paid
 * invoice sends one receipt (keyed by the invoice, since Stripe sends both `invoice.paid` and
 * `invoice.payment_succeeded`); every failed attempt sends a renewal-failed notice keyed by its event, so a
 * redelivered event is one notice and the next attempt another.
 */
export async function applyInvoiceEvent(db: Db, event: ProviderEvent, inv: ProviderInvoice): Promise<BillingStep> {
  const { row, changed, userId } = await recordInvoice(db, event.provider, inv);
  const notices: PaymentNotice[] = [];
  const about = {
    invoiceId: row.id,
    subscriptionId: row.subscriptionId,
    amountDue: row.amountDue,
    currency: row.currency,
  };
  if (row.status === 'paid') {
    notices.push({
      to: userId,
      template: 'payments.receipt',
      data: { ...about, amountPaid: row.amountPaid, paymentId: row.paymentId },
      idempotencyKey: `receipt:${row.id}`,
    });
  } else if (event.type === 'invoice.payment_failed') {
    notices.push({
      to: userId,
      template: 'payments.renewal-failed',
      data: { ...about, attemptCount: inv.attemptCount, nextPaymentAttempt: row.nextPaymentAttempt },
      idempotencyKey: `renewal-failed:${event.id}`,
    });
  }
  // Keyed by the payment, like its receipt by the invoice: both invoice events of one payment publish it once.
  const events =
    row.status === 'paid' && row.paymentId
      ? [
          paymentSucceeded({
            id: row.paymentId,
            userId,
            provider: event.provider,
            amount: row.amountPaid,
            currency: row.currency,
          }),
        ]
      : [];
  return {
    changed,
    userIds: [userId],
    notices,
    events,
    ...(changed ? {} : { note: 'the recorded invoice already, or a newer one' }),
  };
}
