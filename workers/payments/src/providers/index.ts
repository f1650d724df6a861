import type { PaymentProvider, ProviderName } from './provider.js';
import { SandboxProvider } from './sandbox.js';

/** What the adapters read from the Worker's environment. */
export type ProvidersEnv = Pick<PaymentsEnv, 'DB' | 'PAYMENT_EVENTS' | 'SANDBOX_SETTLE_SECONDS'>;

/** The provider a new payment goes to when the request names none: the sandbox, until a real one is configured. */
export function defaultProviderName(_env: ProvidersEnv): ProviderName {
  return 'sandbox';
}

/**
 * The adapter of `name`, or null when it is not configured here. Only the sandbox exists in this increment; Stripe
 * (helper B's adapter) and PayPal plug in here once their credentials are set.
 */
export function providerFor(env: ProvidersEnv, name: ProviderName): PaymentProvider | null {
  switch (name) {
    case 'sandbox':
      return new SandboxProvider(env);
    default:
      return null;
  }
}
