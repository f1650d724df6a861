import { env } from 'cloudflare:workers';
import { stripeNamespace } from '@onasis/testing/stripe-server/client';
import { describe, expect, it } from 'vitest';
import { stripeProviderFrom } from '../src/providers/stripe.js';

describe('stripeProviderFrom', () => {
  it('answers null without STRIPE_SECRET_KEY, so that payments stay with the sandbox', () => {
    expect(stripeProviderFrom({})).toBeNull();
    expect(stripeProviderFrom({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_SECRET_KEY: '' })).toBeNull();
  });

  it('speaks to the API origin in STRIPE_API_BASE with the secret key', async () => {
    const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
    const stripe = stripeProviderFrom({ STRIPE_SECRET_KEY: ns.secretKey, STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL });
    expect(stripe?.name).toBe('stripe');
    const created = await stripe?.createIntent({
      amount: 500,
      currency: 'usd',
      captureMethod: 'automatic',
      idempotencyKey: crypto.randomUUID(),
    });
    expect(created).toMatchObject({ ok: true, value: { amount: 500 } });
    expect(await ns.events('payment_intent.created')).toHaveLength(1);
  });

  it('answers unavailable for a key the API refuses: not a fault of the client', async () => {
    const stripe = stripeProviderFrom({
      STRIPE_SECRET_KEY: 'sk_live_unknown',
      STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL,
    });
    const created = await stripe?.createIntent({
      amount: 500,
      currency: 'usd',
      captureMethod: 'automatic',
      idempotencyKey: crypto.randomUUID(),
    });
    expect(created).toMatchObject({ ok: false, kind: 'unavailable' });
  });
});
