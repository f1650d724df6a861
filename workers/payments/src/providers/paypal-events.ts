import { intentOfOrder, intentOfPayment, type PayPalOrder, type PayPalPayment, refundOf } from './paypal-objects.js';
import type { ProviderEvent } from './provider.js';

/** A PayPal webhook event, as posted (`WH-…`). */
export interface PayPalEvent {
  id: string;
  event_type: string;
  create_time: string;
  resource?: Record<string, unknown>;
}

/** The event types that carry a capture or an authorization, and which. */
const PAYMENT_EVENTS: Record<string, 'capture' | 'authorization'> = {
  'PAYMENT.CAPTURE.COMPLETED': 'capture',
  'PAYMENT.CAPTURE.PENDING': 'capture',
  'PAYMENT.CAPTURE.DECLINED': 'capture',
  'PAYMENT.CAPTURE.DENIED': 'capture',
  'PAYMENT.AUTHORIZATION.CREATED': 'authorization',
  'PAYMENT.AUTHORIZATION.VOIDED': 'authorization',
};

/** The order a capture or authorization belongs to, as its webhook resource names it. */
const orderIdOf = (p: PayPalPayment) => p.supplementary_data?.related_ids?.order_id;

/**
 * A verified PayPal event in the platform's model, keyed by the ORDER id: `CHECKOUT.ORDER.APPROVED` carries the order,
 * `PAYMENT.CAPTURE.COMPLETED|PENDING|DECLINED|DENIED` and `PAYMENT.AUTHORIZATION.CREATED|VOIDED` the capture or
 * authorization as the order's state, `PAYMENT.CAPTURE.REFUNDED` the refund (found again by its own id; the payment
 * named by the order id when PayPal gives it, else by the capture's). Other types carry no object: ignored.
 */
export function paypalEventOf(event: PayPalEvent): ProviderEvent {
  const base: ProviderEvent = {
    id: event.id,
    provider: 'paypal',
    type: event.event_type,
    createdAt: Date.parse(event.create_time) || Date.now(),
  };
  const resource = event.resource;
  if (!resource || typeof resource.id !== 'string') return base;
  const type = event.event_type;
  if (type === 'CHECKOUT.ORDER.APPROVED') return { ...base, intent: intentOfOrder(resource as unknown as PayPalOrder) };
  const payment = resource as unknown as PayPalPayment;
  if (type === 'PAYMENT.CAPTURE.REFUNDED') {
    const capture = payment.links
      ?.find((l) => l.rel === 'up')
      ?.href.split('/')
      .at(-1);
    const paymentProviderId = orderIdOf(payment) ?? capture;
    return paymentProviderId ? { ...base, refund: { ...refundOf(payment), paymentProviderId } } : base;
  }
  const kind = PAYMENT_EVENTS[type];
  const orderId = orderIdOf(payment);
  if (!kind || !orderId) return base;
  return { ...base, intent: intentOfPayment(payment, kind, orderId) };
}
