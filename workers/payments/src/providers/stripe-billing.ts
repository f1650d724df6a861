import type Stripe from 'stripe';
import type { ProviderEvent } from './provider.js';

/** A checkout session's, subscription's or invoice's event mapped, or undefined for any other type. */
export function billingOfStripeEvent(
  _event: Stripe.Event,
): Pick<ProviderEvent, 'checkoutSession' | 'subscription' | 'invoice'> | undefined {
  return undefined;
}
