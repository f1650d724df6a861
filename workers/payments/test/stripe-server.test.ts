import { env } from 'cloudflare:workers';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';

// The local Stripe server through the real SDK, for what the adapter does not exercise itself: lists, the
// idempotency and error envelopes, and the control endpoint that completes asynchronous payments.
function account() {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  const sdk = new Stripe(secretKey, {
    host,
    port,
    protocol,
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 0,
  });
  return { ns, sdk };
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: unknown) => err,
  );

describe('local Stripe server', () => {
  it('lists PaymentIntents newest first, a page at a time, and the SDK pages through them all', async () => {
    const { sdk } = account();
    const ids: string[] = [];
    for (const amount of [100, 200, 300]) ids.push((await sdk.paymentIntents.create({ amount, currency: 'usd' })).id);
    const first = await sdk.paymentIntents.list({ limit: 2 });
    expect(first.data.map((pi) => pi.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const rest = await sdk.paymentIntents.list({ limit: 2, starting_after: ids[1] });
    expect(rest.data.map((pi) => pi.id)).toEqual([ids[0]]);
    expect(rest.has_more).toBe(false);
    const all: string[] = [];
    for await (const pi of sdk.paymentIntents.list({ limit: 1 })) all.push(pi.id);
    expect(all).toEqual([...ids].reverse());
  });

  it('refuses a reused idempotency key with other parameters as idempotency_error', async () => {
    const { sdk } = account();
    await sdk.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: 'same' });
    const err = await errorOf(sdk.paymentIntents.create({ amount: 999, currency: 'usd' }, { idempotencyKey: 'same' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("answers Stripe's error objects: 404 resource_missing, 400 for a missing parameter, 401 without a known key", async () => {
    const { sdk, ns } = account();
    expect(await errorOf(sdk.paymentIntents.retrieve('pi_missing'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    const missing = await errorOf(sdk.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount' });
    const stranger = new Stripe('rk_live_x', {
      host: ns.host,
      port: ns.port,
      protocol: ns.protocol,
      httpClient: Stripe.createFetchHttpClient(),
    });
    expect(await errorOf(stranger.paymentIntents.list())).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('completes 3-D Secure and settles a bank debit through /__advance, recording the events', async () => {
    const { sdk, ns } = account();
    const card = await sdk.paymentIntents.create({
      amount: 100,
      currency: 'usd',
      confirm: true,
      payment_method: PM.authenticationRequired,
    });
    expect(card.status).toBe('requires_action');
    expect(await ns.advance({ paymentIntent: card.id })).toMatchObject({ status: 'succeeded', amount_received: 100 });
    const bank = await sdk.paymentIntents.create({
      amount: 200,
      currency: 'usd',
      confirm: true,
      payment_method: PM.usBankAccount,
    });
    expect(bank.status).toBe('processing');
    expect(await ns.advance({ paymentIntent: bank.id, outcome: 'fail' })).toMatchObject({
      status: 'requires_payment_method',
    });
    expect((await ns.events()).map((e) => e.type)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.payment_failed',
    ]);
  });

  it('refunds several times but never beyond what was captured', async () => {
    const { sdk } = account();
    const pi = await sdk.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      confirm: true,
      payment_method: PM.visa,
    });
    await sdk.refunds.create({ payment_intent: pi.id, amount: 600 });
    const refund = await sdk.refunds.create({ payment_intent: pi.id });
    expect(refund.amount).toBe(400);
    expect(await sdk.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, payment_intent: pi.id });
    expect(await errorOf(sdk.refunds.create({ payment_intent: pi.id, amount: 1 }))).toMatchObject({
      code: 'charge_already_refunded',
    });
  });
});
