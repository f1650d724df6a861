import { PAYPAL_DECLINE_CODE } from './paypal-errors.js';
import { minorOf, type PayPalMoney } from './paypal-money.js';
import type { IntentStatus, PaymentError, ProviderIntent, ProviderRefund } from './provider.js';

// PayPal's orders, captures, authorizations, refunds and webhook events in the platform's model: what the adapter
// answers and what the webhook route stores. A platform payment is one PayPal order; its id is the order's.

/** A capture, authorization or refund as PayPal writes it. */
export interface PayPalPayment {
  id: string;
  status: string;
  amount?: PayPalMoney;
  status_details?: { reason?: string };
  create_time?: string;
  update_time?: string;
  supplementary_data?: { related_ids?: { order_id?: string } };
  links?: { href: string; rel: string }[];
}

/** An order as PayPal writes it (with `Prefer: return=representation`). */
export interface PayPalOrder {
  id: string;
  intent?: 'CAPTURE' | 'AUTHORIZE';
  status: string;
  purchase_units?: {
    amount?: PayPalMoney;
    payments?: { captures?: PayPalPayment[]; authorizations?: PayPalPayment[] };
  }[];
  links?: { href: string; rel: string }[];
  create_time?: string;
  update_time?: string;
}

/** A capture's money counts as captured from COMPLETED on, refunded or not. */
const CAPTURED = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);

/** A capture or authorization PayPal refused: the decline, with its reason when PayPal gives one. */
const declineOf = (p: PayPalPayment): PaymentError => ({
  code: PAYPAL_DECLINE_CODE,
  declineCode: (p.status_details?.reason ?? p.status).toLowerCase(),
  message: `PayPal ${p.status === 'DENIED' ? 'denied' : 'declined'} the payment.`,
});

/** Where a capture (or, before any capture, an authorization) puts the payment. */
function statusOfPayment(p: PayPalPayment, kind: 'capture' | 'authorization'): [IntentStatus, PaymentError?] {
  if (CAPTURED.has(p.status) || p.status === 'CAPTURED' || p.status === 'PARTIALLY_CAPTURED') return ['succeeded'];
  if (p.status === 'PENDING') return ['processing'];
  if (kind === 'authorization' && p.status === 'CREATED') return ['requires_capture'];
  if (p.status === 'VOIDED' || p.status === 'EXPIRED') return ['canceled'];
  // DECLINED, DENIED, FAILED: the money did not move; the buyer may pay again (a new payment).
  return ['requires_payment_method', declineOf(p)];
}

/** Where an order without payments stands: the buyer has yet to approve (CREATED), or has (APPROVED). */
function statusOfOrder(status: string): IntentStatus {
  if (status === 'APPROVED') return 'requires_confirmation';
  if (status === 'VOIDED') return 'canceled';
  if (status === 'COMPLETED') return 'succeeded';
  return 'requires_action';
}

/** The newest of PayPal's own times on these objects, in ms, else now (PayPal writes whole seconds). */
function newestTime(...objects: { create_time?: string; update_time?: string }[]): number {
  const times = objects
    .flatMap((o) => [o.update_time, o.create_time])
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => !Number.isNaN(t));
  return times.length > 0 ? Math.max(...times) : Date.now();
}

/** An order in the platform's model: its newest capture decides, else its authorization, else the order. */
export function intentOfOrder(order: PayPalOrder): ProviderIntent {
  const unit = order.purchase_units?.[0];
  const captures = unit?.payments?.captures ?? [];
  const authorizations = unit?.payments?.authorizations ?? [];
  const capture = captures.at(-1);
  const authorization = authorizations.at(-1);
  const [status, lastError] = capture
    ? statusOfPayment(capture, 'capture')
    : authorization
      ? statusOfPayment(authorization, 'authorization')
      : [statusOfOrder(order.status)];
  const { amount, currency } = minorOf(unit?.amount);
  const approvalUrl = order.links?.find((l) => l.rel === 'payer-action' || l.rel === 'approve')?.href;
  return {
    providerId: order.id,
    status,
    amount,
    amountCaptured: captures
      .filter((c) => CAPTURED.has(c.status))
      .reduce((sum, c) => sum + minorOf(c.amount).amount, 0),
    currency,
    ...(status === 'requires_action' && approvalUrl && { approvalUrl }),
    ...(lastError && { lastError }),
    updatedAt: newestTime(order, ...captures, ...authorizations),
  };
}

/** A capture or authorization of an order (a webhook's resource) as the order's state. */
export function intentOfPayment(p: PayPalPayment, kind: 'capture' | 'authorization', orderId: string): ProviderIntent {
  const [status, lastError] = statusOfPayment(p, kind);
  const { amount, currency } = minorOf(p.amount);
  return {
    providerId: orderId,
    status,
    amount,
    amountCaptured: kind === 'capture' && CAPTURED.has(p.status) ? amount : 0,
    currency,
    ...(lastError && { lastError }),
    updatedAt: newestTime(p),
  };
}

const REFUND_STATUSES: Record<string, ProviderRefund['status']> = {
  COMPLETED: 'succeeded',
  PENDING: 'pending',
  FAILED: 'failed',
  CANCELLED: 'canceled',
};

/** A refund in the platform's model; `fallback` fills what a minimal answer leaves out. */
export function refundOf(refund: PayPalPayment, fallback?: { amount: number; currency: string }): ProviderRefund {
  const money = refund.amount ? minorOf(refund.amount) : undefined;
  return {
    providerId: refund.id,
    status: REFUND_STATUSES[refund.status] ?? 'pending',
    amount: money?.amount ?? fallback?.amount ?? 0,
    currency: money?.currency ?? fallback?.currency ?? '',
  };
}
