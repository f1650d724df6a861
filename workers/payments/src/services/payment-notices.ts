import type { ProviderIntent } from '../providers/provider.js';
import type { ProviderDispute } from '../providers/provider-disputes.js';
import { currencyRule } from './currencies.js';
import type { PaymentNotice } from './notify.js';
import type { PaymentRow } from './payment-rows.js';
import type { RefundRow } from './refund-rows.js';

// The notices of step 6 of the flow, as pure functions of what was just applied: callers pass them to `notify()`.
// Idempotency keys: a receipt and a refund notice are keyed by the payment or refund itself, since each succeeds
// once, whichever path recorded it (an API answer or an event) and however often; a refusal (a payment may be
// declined several times) and a dispute alert are keyed by the provider event, so a redelivered event, or the retry
// of one whose notice went out before its batch failed, sends nothing twice.

/** `2000`, `usd` → `20.00 USD`: templates show amounts without doing arithmetic. */
export function formatAmount(amount: number, currency: string): string {
  const decimals = currencyRule(currency)?.decimals ?? 2;
  return `${(amount / 10 ** decimals).toFixed(decimals)} ${currency.toUpperCase()}`;
}

const money = (amount: number, currency: string) => ({
  amount,
  currency,
  amountFormatted: formatAmount(amount, currency),
});

/**
 * What moving `row` (as recorded before) to the provider's `intent` tells the payer: `payments.receipt` when it has
 * just succeeded, `payments.payment-failed` when the provider refused an attempt. Nothing for any other move.
 * `eventId` is the provider event's id (or, for a direct API answer, any id unique to the attempt).
 */
export function paymentNotices(row: PaymentRow, intent: ProviderIntent, eventId: string): PaymentNotice[] {
  if (intent.status === 'succeeded' && row.status !== 'succeeded') {
    return [
      {
        to: row.userId,
        template: 'payments.receipt',
        data: { ...money(intent.amountCaptured, row.currency), paymentId: row.id, description: row.description ?? '' },
        idempotencyKey: `payments.receipt:${row.id}`,
      },
    ];
  }
  if (intent.status === 'requires_payment_method' && intent.lastError !== undefined) {
    return [
      {
        to: row.userId,
        template: 'payments.payment-failed',
        data: {
          ...money(row.amount, row.currency),
          paymentId: row.id,
          reason: intent.lastError.message,
          declineCode: intent.lastError.declineCode ?? intent.lastError.code,
        },
        idempotencyKey: `payments.payment-failed:${eventId}`,
      },
    ];
  }
  return [];
}

/** A refund that has succeeded, told to its payer (`payments.refund`), once per refund. */
export function refundNotices(refund: RefundRow): PaymentNotice[] {
  if (refund.status !== 'succeeded') return [];
  return [
    {
      to: refund.userId,
      template: 'payments.refund',
      data: { ...money(refund.amount, refund.currency), paymentId: refund.paymentId, refundId: refund.id },
      idempotencyKey: `payments.refund:${refund.id}`,
    },
  ];
}

/** The addresses of `PAYMENTS_ALERTS_TO` (comma-separated user ids or emails); empty → none. */
export function alertRecipients(setting: string | undefined): string[] {
  return [...new Set((setting ?? '').split(',').map((s) => s.trim()))].filter((s) => s.length > 0);
}

/** A dispute just opened, told to every admin address of `PAYMENTS_ALERTS_TO` (`payments.dispute-opened`). */
export function disputeOpenedNotices(
  alertsTo: string | undefined,
  dispute: ProviderDispute,
  ids: { disputeId: string; paymentId: string },
  eventId: string,
): PaymentNotice[] {
  return alertRecipients(alertsTo).map((to) => ({
    to,
    template: 'payments.dispute-opened',
    data: {
      ...money(dispute.amount, dispute.currency),
      ...ids,
      reason: dispute.reason,
      status: dispute.status,
      evidenceDueBy: dispute.evidenceDueBy === undefined ? '' : new Date(dispute.evidenceDueBy).toISOString(),
    },
    idempotencyKey: `payments.dispute-opened:${eventId}:${to}`,
  }));
}
