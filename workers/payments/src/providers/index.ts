import type { PaymentProvider, ProviderName } from './provider.js';
import { SandboxProvider } from './sandbox.js';
import { type StripeEnv, stripeProviderFrom } from './stripe.js';

/** What the adapters read from the Worker's environment (provider credentials are optional secrets). */
export type ProvidersEnv = Pick<PaymentsEnv, 'DB' | 'PAYMENT_EVENTS' | 'SANDBOX_SETTLE_SECONDS'> & StripeEnv;

/** The provider a new payment goes to when the request names none: Stripe once its key is set, else the sandbox. */
export function defaultProviderName(env: ProvidersEnv): ProviderName {
  return env.STRIPE_SECRET_KEY ? 'stripe' : 'sandbox';
}

/** The adapter of `name`, or null when it is not configured here (no credentials; PayPal comes later). */
export function providerFor(env: ProvidersEnv, name: ProviderName): PaymentProvider | null {
  switch (name) {
    case 'sandbox':
      return new SandboxProvider(env);
    case 'stripe':
      return stripeProviderFrom(env);
    case 'paypal':
      return null;
  }
}
