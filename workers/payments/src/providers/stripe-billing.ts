import type Stripe from 'stripe';
import type { ProviderEvent } from './provider.js';
import { checkoutSessionOf, invoiceOf, subscriptionOf } from './stripe-billing-objects.js';

const CHECKOUT_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.expired',
]);
const INVOICE_TYPES = new Set([
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.finalized',
]);

/**
 * A checkout session's, subscription's or invoice's event mapped, or undefined for any other type. As for payments,
 * an event stands for the end of its second (`created` is whole seconds): the object's own time, which orders
 * out-of-order deliveries.
 */
export function billingOfStripeEvent(
  event: Stripe.Event,
): Pick<ProviderEvent, 'checkoutSession' | 'subscription' | 'invoice'> | undefined {
  const at = event.created * 1000 + 999;
  const object = event.data.object;
  if (CHECKOUT_TYPES.has(event.type) && object.object === 'checkout.session') {
    return { checkoutSession: checkoutSessionOf(object, at) };
  }
  if (event.type.startsWith('customer.subscription.') && object.object === 'subscription') {
    return { subscription: subscriptionOf(object, at) };
  }
  if (INVOICE_TYPES.has(event.type) && object.object === 'invoice') return { invoice: invoiceOf(object, at) };
  return undefined;
}
