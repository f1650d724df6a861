import { type PayPalEnv, paypalProviderFrom } from './paypal.js';
import type { PaymentProvider, ProviderName } from './provider.js';
import { SandboxProvider } from './sandbox.js';
import { type StripeEnv, stripeProviderFrom } from './stripe.js';

/** What the adapters read from the Worker's environment (provider credentials are optional secrets). */
export type ProvidersEnv = Pick<
  PaymentsEnv,
  'DB' | 'PAYMENT_EVENTS' | 'SANDBOX_SETTLE_SECONDS' | 'ENVIRONMENT' | 'PAYMENT_PLANS'
> &
  StripeEnv &
  PayPalEnv;

/**
 * Whether the sandbox may take payments here: only in the local environment. Anywhere else it would hand out
 * `succeeded` payments for nothing, which a plan or a purchase could then be granted on; there, a deployment without
 * provider credentials takes no payments at all (503), as notifications sends nothing without its providers.
 */
export function sandboxAllowed(env: Pick<PaymentsEnv, 'ENVIRONMENT'>): boolean {
  return env.ENVIRONMENT === 'local';
}

/**
 * The provider a new payment goes to when the request names none: Stripe once its key is set, else the sandbox.
 * PayPal is never the default: it is a choice the buyer makes ("Pay with PayPal"), sent as `provider: "paypal"`.
 */
export function defaultProviderName(env: ProvidersEnv): ProviderName {
  return env.STRIPE_SECRET_KEY ? 'stripe' : 'sandbox';
}

/** The adapter of `name`, or null when it is not configured here (no credentials). */
export function providerFor(env: ProvidersEnv, name: ProviderName): PaymentProvider | null {
  switch (name) {
    case 'sandbox':
      return sandboxAllowed(env) ? new SandboxProvider(env) : null;
    case 'stripe':
      return stripeProviderFrom(env);
    case 'paypal':
      return paypalProviderFrom(env);
  }
}
