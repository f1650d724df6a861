import { env } from 'cloudflare:workers';
import { type StripeTestEvent, stripeNamespace } from '@onasis/testing/stripe-server/client';
import { expect } from 'vitest';
import { stripeClient } from '../src/providers/stripe.js';
import { consume, deliver, signed } from './stripe-webhook-helpers.js';

/** A namespace of the local Stripe server with a recurring `pro` price, and the Worker's env pointed at it. */
export async function stripeAccount() {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const stripe = stripeClient(ns);
  const price = await stripe.prices.create({
    unit_amount: 2000,
    currency: 'usd',
    recurring: { interval: 'month' },
    product_data: { name: 'Pro' },
  });
  const plans = {
    pro: { name: 'Pro', amount: 2000, currency: 'usd', interval: 'month', prices: { stripe: price.id } },
  };
  const stripeEnv: typeof env & { STRIPE_SECRET_KEY: string; STRIPE_API_BASE: string } = {
    ...env,
    STRIPE_SECRET_KEY: ns.secretKey,
    STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL,
    PAYMENT_PLANS: JSON.stringify(plans),
  };
  const seen = new Set<string>();
  /** A test control of the server, e.g. `subscriptions/<id>/renew`. */
  const control = async (path: string, body: Record<string, unknown> = {}) => {
    const res = await fetch(`${env.TEST_STRIPE_SERVER_URL}/v1/test_helpers/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ns.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString(),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json<Record<string, unknown>>();
  };
  /**
   * Every billing event the server recorded since the last call, signed and posted to the webhook route (queued
   * where the Worker's own consumer does not see it), then handed to the consumer in order with the
   * Stripe-configured env, which stores and applies it.
   */
  const sync = async (): Promise<StripeTestEvent[]> => {
    const fresh = (await ns.events()).filter(
      (e) => !seen.has(e.id) && /^(checkout|customer\.subscription|invoice)\./.test(e.type),
    );
    for (const event of fresh) {
      seen.add(event.id);
      expect((await deliver(await signed(event))).status).toBe(200);
      const { result } = await consume(event.id, 1, stripeEnv);
      expect(result.retryMessages, `${event.type} applied`).toEqual([]);
    }
    return fresh;
  };
  return { ns, stripe, stripeEnv, control, sync };
}
