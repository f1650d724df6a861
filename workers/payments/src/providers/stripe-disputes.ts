import type Stripe from 'stripe';
import type { ProviderEvent } from './provider.js';

/** A `charge.dispute.*` event mapped, or undefined for any other type. */
export function disputeOfStripeEvent(_event: Stripe.Event): Pick<ProviderEvent, 'dispute'> | undefined {
  return undefined;
}
