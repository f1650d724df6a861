import { env } from 'cloudflare:workers';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeProvider, stripeEventOf } from '../src/providers/stripe.js';

// Events as the local Stripe server records them for each state change, mapped to the platform's model.
async function eventsOf(run: (stripe: ReturnType<typeof createStripeProvider>) => Promise<void>) {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  await run(createStripeProvider({ secretKey, host, port, protocol }));
  // The server's events are Stripe's wire objects; the SDK's type is the union of every event type.
  return (await ns.events()).map((e) => e as unknown as Stripe.Event);
}

async function paid(stripe: ReturnType<typeof createStripeProvider>, method: string): Promise<string> {
  const key = crypto.randomUUID();
  const created = await stripe.createIntent({
    amount: 900,
    currency: 'gbp',
    captureMethod: 'automatic',
    idempotencyKey: key,
  });
  if (!created.ok) throw new Error(JSON.stringify(created));
  await stripe.confirmIntent(created.value.providerId, method, `confirm:${key}`);
  return created.value.providerId;
}

describe('stripeEventOf', () => {
  it("maps payment_intent events to the intent, timed by the event's own creation", async () => {
    const events = await eventsOf(async (stripe) => void (await paid(stripe, PM.visa)));
    const mapped = events.map(stripeEventOf);
    expect(mapped.map((e) => [e.type, e.intent?.status])).toEqual([
      ['payment_intent.created', 'requires_payment_method'],
      ['payment_intent.succeeded', 'succeeded'],
    ]);
    const succeeded = mapped[1];
    expect(succeeded).toMatchObject({
      provider: 'stripe',
      id: events[1]?.id,
      createdAt: (events[1]?.created ?? 0) * 1000,
    });
    expect(succeeded?.intent?.updatedAt).toBe((succeeded?.createdAt ?? 0) + 999);
  });

  it('carries the decline on payment_intent.payment_failed', async () => {
    const events = await eventsOf(async (stripe) => void (await paid(stripe, PM.declined)));
    const failed = events.map(stripeEventOf).find((e) => e.type === 'payment_intent.payment_failed');
    expect(failed?.intent).toMatchObject({
      status: 'requires_payment_method',
      lastError: { code: 'card_declined', declineCode: 'generic_decline' },
    });
  });

  it('maps refund.created and charge.refunded to the refund and the payment it belongs to', async () => {
    let paymentId = '';
    const events = await eventsOf(async (stripe) => {
      paymentId = await paid(stripe, PM.visa);
      await stripe.createRefund(paymentId, 300, 'duplicate', crypto.randomUUID());
    });
    const refunds = events.map(stripeEventOf).filter((e) => e.refund);
    expect(refunds.map((e) => e.type)).toEqual(['refund.created', 'charge.refunded']);
    for (const e of refunds) {
      expect(e.refund).toMatchObject({
        paymentProviderId: paymentId,
        amount: 300,
        currency: 'gbp',
        status: 'succeeded',
      });
    }
    expect(refunds[0]?.refund?.providerId).toBe(refunds[1]?.refund?.providerId);
  });

  it('leaves other event types without an object', () => {
    const event = {
      id: 'evt_1',
      type: 'customer.created',
      created: 1,
      data: { object: { id: 'cus_1', object: 'customer' } },
    };
    const mapped = stripeEventOf(event as unknown as Stripe.Event);
    expect(mapped).toEqual({ id: 'evt_1', provider: 'stripe', type: 'customer.created', createdAt: 1000 });
  });
});
