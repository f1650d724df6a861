import { env } from 'cloudflare:workers';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import { describe, expect, it } from 'vitest';
import type { ProviderIntent, ProviderResult } from '../src/providers/provider.js';
import { createStripeProvider, type StripeProviderOptions } from '../src/providers/stripe.js';

// The adapter through the real `stripe` SDK (fetch client) against the local Stripe server; each test has a
// secret key, and so a Stripe "account", of its own.
function stripeAccount(options: Partial<StripeProviderOptions> = {}) {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  return { ns, stripe: createStripeProvider({ secretKey, host, port, protocol, ...options }) };
}

const key = (what: string) => `${what}:pay_${crypto.randomUUID().replaceAll('-', '')}`;

function answerOf<T>(result: ProviderResult<T>): T {
  if (!result.ok) throw new Error(`expected an answer, got ${JSON.stringify(result)}`);
  return result.value;
}

const create = (
  stripe: ReturnType<typeof stripeAccount>['stripe'],
  captureMethod: 'automatic' | 'manual' = 'automatic',
) => stripe.createIntent({ amount: 1000, currency: 'EUR', captureMethod, idempotencyKey: key('create') });

describe('Stripe adapter', () => {
  it('creates a PaymentIntent awaiting a payment method, with its client secret', async () => {
    const { stripe } = stripeAccount();
    const before = Date.now();
    const intent = answerOf(
      await stripe.createIntent({
        amount: 1250,
        currency: 'EUR',
        description: 'Order 7',
        metadata: { order: '7' },
        captureMethod: 'automatic',
        idempotencyKey: key('create'),
      }),
    );
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      amount: 1250,
      amountCaptured: 0,
      currency: 'eur',
    });
    expect(intent.providerId).toMatch(/^pi_/);
    expect(intent.clientSecret).toMatch(new RegExp(`^${intent.providerId}_secret_`));
    expect(intent.updatedAt).toBeGreaterThanOrEqual(before);
    expect(answerOf(await stripe.retrieveIntent(intent.providerId))).toMatchObject({ providerId: intent.providerId });
  });

  it('confirms a card with automatic capture: succeeded and captured in full', async () => {
    const { stripe } = stripeAccount();
    const { providerId } = answerOf(await create(stripe));
    const confirmed = answerOf(await stripe.confirmIntent(providerId, PM.visa, key('confirm')));
    expect(confirmed).toMatchObject({ status: 'succeeded', amountCaptured: 1000 });
  });

  it('authorises with manual capture, captures part of it, then refunds within what was captured', async () => {
    const { stripe } = stripeAccount();
    const { providerId } = answerOf(await create(stripe, 'manual'));
    expect(answerOf(await stripe.confirmIntent(providerId, PM.visa, key('confirm')))).toMatchObject({
      status: 'requires_capture',
      amountCaptured: 0,
    });
    expect(answerOf(await stripe.captureIntent(providerId, 600, key('capture')))).toMatchObject({
      status: 'succeeded',
      amountCaptured: 600,
    });
    const refund = answerOf(await stripe.createRefund(providerId, 400, 'requested_by_customer', key('refund')));
    expect(refund).toMatchObject({ status: 'succeeded', amount: 400, currency: 'eur' });
    expect(refund.providerId).toMatch(/^re_/);
    const beyond = await stripe.createRefund(providerId, 201, undefined, key('refund'));
    expect(beyond).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('cancels an authorised payment, and a second cancel is invalid', async () => {
    const { stripe } = stripeAccount();
    const { providerId } = answerOf(await create(stripe, 'manual'));
    await stripe.confirmIntent(providerId, PM.visa, key('confirm'));
    expect(answerOf(await stripe.cancelIntent(providerId, key('cancel')))).toMatchObject({ status: 'canceled' });
    expect(await stripe.cancelIntent(providerId, key('cancel'))).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('answers a declined card as declined, with the decline code and the intent as it now stands', async () => {
    const { stripe } = stripeAccount();
    const { providerId } = answerOf(await create(stripe));
    const declined = await stripe.confirmIntent(providerId, PM.insufficientFunds, key('confirm'));
    expect(declined).toMatchObject({
      ok: false,
      kind: 'declined',
      error: { code: 'card_declined', declineCode: 'insufficient_funds' },
      value: { providerId, status: 'requires_payment_method', lastError: { declineCode: 'insufficient_funds' } },
    });
  });

  it('maps 3-D Secure to requires_action with the page to send the buyer to, and a bank debit to processing', async () => {
    const { stripe } = stripeAccount();
    const card = answerOf(await create(stripe));
    const action = answerOf(await stripe.confirmIntent(card.providerId, PM.authenticationRequired, key('confirm')));
    expect(action.status).toBe('requires_action');
    expect(action.approvalUrl).toMatch(/^https:\/\//);
    const bank = answerOf(await create(stripe));
    const processing = answerOf(await stripe.confirmIntent(bank.providerId, PM.usBankAccount, key('confirm')));
    expect(processing).toMatchObject({ status: 'processing', amountCaptured: 0 });
  });

  it('makes one PaymentIntent for a create retried with the same idempotency key', async () => {
    const { ns, stripe } = stripeAccount();
    const input = { amount: 1000, currency: 'usd', captureMethod: 'automatic' as const, idempotencyKey: key('create') };
    const first = answerOf(await stripe.createIntent(input));
    const second = answerOf(await stripe.createIntent(input));
    expect(second.providerId).toBe(first.providerId);
    expect(await ns.events('payment_intent.created')).toHaveLength(1);
  });

  it('makes one PaymentIntent when the answer to the first attempt is lost and the SDK retries', async () => {
    const { ns, stripe } = stripeAccount();
    await ns.script([{ status: 500, afterHandling: true }]);
    const intent = answerOf(await create(stripe));
    const created = await ns.events('payment_intent.created');
    expect(created.map((e) => e.data.object.id)).toEqual([intent.providerId]);
  });

  it('answers unavailable when Stripe fails with a 500 or limits the rate, and creates nothing', async () => {
    const { ns, stripe } = stripeAccount({ maxNetworkRetries: 0 });
    await ns.script([{ status: 500 }, { status: 429 }]);
    const failed: ProviderResult<ProviderIntent> = await create(stripe);
    expect(failed).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(await create(stripe)).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(await ns.events()).toEqual([]);
  });

  it('answers unavailable when Stripe cannot be reached', async () => {
    const { stripe } = createUnreachable();
    expect(await create(stripe)).toMatchObject({ ok: false, kind: 'unavailable' });
  });
});

/** An adapter pointed at a port nothing listens on. */
function createUnreachable() {
  return {
    stripe: createStripeProvider({
      secretKey: 'sk_test_unreachable',
      host: '127.0.0.1',
      port: 9,
      protocol: 'http',
      maxNetworkRetries: 0,
      timeoutMs: 2000,
    }),
  };
}
