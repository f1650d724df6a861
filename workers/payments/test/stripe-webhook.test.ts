import { env, exports } from 'cloudflare:workers';
import { eventually, problemOf, recordedMessages } from '@onasis/testing';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import { describe, expect, it } from 'vitest';
import { createStripeProvider } from '../src/providers/stripe.js';
import { deliverBodies } from './event-helpers.js';
import { checkLedgerAfterEach } from './helpers.js';
import { consume, deliver, eventOf, QUEUE, signed, storedRows, stripeEvents } from './stripe-webhook-helpers.js';

const queuedIds = async () => (await recordedMessages(QUEUE)).map((m) => m.eventId);

describe('POST /webhooks/stripe', () => {
  checkLedgerAfterEach();

  it("is served by the Worker's own fetch handler, as the gateway forwards it", async () => {
    const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
    const { body, signature } = await signed(event);
    const post = (sig: string) =>
      exports.default.fetch('http://payments/webhooks/stripe', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'stripe-signature': sig },
      });
    const forged = signature.replace(/v1=(.)/, (_, c: string) => `v1=${c === '0' ? '1' : '0'}`);
    expect((await post(forged)).status).toBe(400);
    expect(await storedRows(event.id)).toEqual([]);
    expect((await post(signature)).status).toBe(200);
    // The Worker's own queue and consumer: the event is stored once the consumer has its batch.
    await eventually(async () => (await storedRows(event.id)).length === 1);
  });

  it('queues a signed event whole and answers 200; the consumer stores it as pending with the mapped intent', async () => {
    const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
    const res = await deliver(await signed(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    expect(await storedRows(event.id)).toEqual([]);
    const { messages } = await consume(event.id);
    expect(messages).toEqual([
      { eventId: event.id, event: expect.objectContaining({ id: event.id }), receivedAt: expect.any(String) },
    ]);
    const [row] = await storedRows(event.id);
    // Received when the webhook was, not when the consumer stored it.
    expect(row?.receivedAt).toBe(messages[0]?.receivedAt);
    expect(row).toMatchObject({
      id: event.id,
      type: 'payment_intent.succeeded',
      provider: 'stripe',
      status: 'pending',
    });
    expect(row?.payload).toMatchObject({
      id: event.id,
      createdAt: event.created * 1000,
      intent: { providerId: event.data.object.id, status: 'succeeded', amountCaptured: 2000 },
    });
  });

  it('stores nothing new for a second delivery of the same event, and answers 200 again', async () => {
    const event = eventOf(await stripeEvents(), 'charge.refunded');
    const delivery = await signed(event);
    expect((await deliver(delivery)).status).toBe(200);
    await consume(event.id);
    const [first] = await storedRows(event.id);
    expect((await deliver(await signed(event))).status).toBe(200);
    await consume(event.id, 2);
    expect(await storedRows(event.id)).toEqual([first]);
    expect(first?.payload).toMatchObject({ refund: { amount: 500, status: 'succeeded' } });
  });

  it('keeps one row for one event delivered five times at once', async () => {
    const event = eventOf(await stripeEvents(), 'refund.created');
    const delivery = await signed(event);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(delivery)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // All five copies in one batch, then each again in a batch of its own, all at once.
    const { messages } = await consume(event.id, 5);
    const again = await Promise.all(messages.map((m) => deliverBodies([m])));
    // A refund of a payment not recorded here: each copy is retried (the row notes why), none is lost or doubled.
    expect(again.map((r) => r.explicitAcks.length + r.retryMessages.length)).toEqual([1, 1, 1, 1, 1]);
    expect(await storedRows(event.id)).toHaveLength(1);
  });

  it('stores an event type the platform does not apply, without an object, as ignored', async () => {
    const event = { ...eventOf(await stripeEvents(), 'payment_intent.created'), id: `evt_${crypto.randomUUID()}` };
    const customer = { ...event, type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } };
    expect((await deliver(await signed(customer))).status).toBe(200);
    const { result } = await consume(customer.id);
    expect(result.explicitAcks).toHaveLength(1);
    const [row] = await storedRows(customer.id);
    expect(row).toMatchObject({
      type: 'customer.created',
      status: 'ignored',
      error: 'a type the platform does not apply',
    });
    expect(row?.payload).not.toHaveProperty('intent');
    expect(row?.payload).not.toHaveProperty('refund');
  });

  describe('refuses with 400 and stores nothing', () => {
    const refused = async (res: Response, id: string) => {
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe('BAD_REQUEST');
      expect(await storedRows(id)).toEqual([]);
      expect(await queuedIds()).not.toContain(id);
    };

    it('a signature made with another secret', async () => {
      const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
      await refused(await deliver(await signed(event, { secret: 'whsec_forged' })), event.id);
    });

    it('a request without a Stripe-Signature header', async () => {
      const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
      await refused(await deliver({ body: JSON.stringify(event) }), event.id);
    });

    it('a signature whose timestamp is older than 300 seconds (a replay)', async () => {
      const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
      const stale = await signed(event, { at: Math.floor(Date.now() / 1000) - 301 });
      await refused(await deliver(stale), event.id);
    });

    it('a body changed after it was signed', async () => {
      const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
      const { signature } = await signed(event);
      const body = JSON.stringify({ ...event, data: { object: { ...event.data.object, amount: 1 } } });
      await refused(await deliver({ body, signature }), event.id);
    });
  });

  it('answers 503 without STRIPE_WEBHOOK_SECRET, and stores nothing', async () => {
    const event = eventOf(await stripeEvents(), 'payment_intent.succeeded');
    const res = await deliver(await signed(event), { STRIPE_WEBHOOK_SECRET: undefined });
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    expect(await storedRows(event.id)).toEqual([]);
  });

  it("accepts the local Stripe server's own signed deliveries, one row per event", async () => {
    const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
    await ns.addWebhookEndpoint({ url: ns.sinkUrl, secret: env.STRIPE_WEBHOOK_SECRET });
    const { secretKey, host, port, protocol } = ns;
    const stripe = createStripeProvider({ secretKey, host, port, protocol });
    const created = await stripe.createIntent({
      amount: 700,
      currency: 'usd',
      captureMethod: 'manual',
      idempotencyKey: 'a',
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    await stripe.confirmIntent(created.value.providerId, PM.visa, 'b');
    const posted = await eventually(async () => {
      const bin = await ns.sink();
      return bin.length === 2 && bin;
    });
    for (const { body, headers } of posted) {
      expect((await deliver({ body, signature: headers['stripe-signature'] })).status).toBe(200);
    }
    const ids = (await ns.events()).map((e) => e.id);
    for (const id of ids) {
      await consume(id);
      expect(await storedRows(id)).toHaveLength(1);
    }
    expect((await ns.deliveries()).map((d) => d.status)).toEqual([200, 200]);
  });
});
