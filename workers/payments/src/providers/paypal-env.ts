import type { PayPalClientOptions } from './paypal-client.js';

/** The Worker's optional PayPal settings (secrets set with `wrangler secret put`, or `.dev.vars`). */
export interface PayPalEnv {
  ENVIRONMENT?: string;
  PAYPAL_CLIENT_ID?: string;
  PAYPAL_CLIENT_SECRET?: string;
  /** The id PayPal gave the webhook registered for `/webhooks/paypal`: its deliveries are verified against it. */
  PAYPAL_WEBHOOK_ID?: string;
  /** Another API origin, e.g. the local PayPal server of `@onasis/testing` in tests. */
  PAYPAL_API_BASE?: string;
  /** Where PayPal sends the buyer back after approving (or cancelling) at the approval URL. */
  PAYPAL_RETURN_URL?: string;
}

/** PayPal's live API in production, its sandbox everywhere else, unless `PAYPAL_API_BASE` says otherwise. */
export function paypalApiBase(env: PayPalEnv): string {
  if (env.PAYPAL_API_BASE) return env.PAYPAL_API_BASE.replace(/\/$/, '');
  return env.ENVIRONMENT === 'production' ? 'https://api-m.paypal.com' : 'https://api-m.sandbox.paypal.com';
}

/** The app's credentials and API origin when both credentials are set, else null. */
export function paypalClientFrom(env: PayPalEnv): PayPalClientOptions | null {
  if (!env.PAYPAL_CLIENT_ID || !env.PAYPAL_CLIENT_SECRET) return null;
  return { clientId: env.PAYPAL_CLIENT_ID, clientSecret: env.PAYPAL_CLIENT_SECRET, apiBase: paypalApiBase(env) };
}
