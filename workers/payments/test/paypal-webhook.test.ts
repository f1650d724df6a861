import { eventually, problemOf } from '@onasis/testing';
import type { PayPalTestEvent } from '@onasis/testing/paypal-server/client';
import { describe, expect, it } from 'vitest';
import { checkLedgerAfterEach, type Payment, waitForStatus } from './helpers.js';
import {
  answerOf,
  callWithPayPal,
  deliver,
  key,
  movementsOf,
  orderIdOf,
  paypalAccount,
  storedRows,
  WORKER_PAYPAL,
  workerAccount,
} from './paypal-helpers.js';

/**
 * A payment created through the routes, approved by the buyer and captured at PayPal behind the platform's back (as
 * when the buyer's return never reached the platform): only the webhook can tell it. Answers the payment and the
 * PAYMENT.CAPTURE.COMPLETED event the local PayPal server recorded for it.
 */
async function capturedBehindTheBack(): Promise<{ paymentId: string; event: PayPalTestEvent }> {
  const { ns, paypal } = workerAccount();
  const created = await callWithPayPal('/api/v1/payments/intents', {
    json: { amount: 1800, currency: 'usd', provider: 'paypal' },
  });
  const payment = await created.json<Payment>();
  const orderId = orderIdOf(payment);
  await ns.approve(orderId);
  answerOf(await paypal.confirmIntent(orderId, 'paypal', key('confirm')));
  const events = await ns.events('PAYMENT.CAPTURE.COMPLETED');
  const event = events.find((e) => JSON.stringify(e.resource).includes(orderId));
  if (!event) throw new Error(`no capture event for ${orderId}`);
  return { paymentId: payment.id, event };
}

/** A delivery of `event` to the Worker's webhook, signed by the local PayPal server. */
const signed = (event: unknown, transmissionTime?: string) =>
  workerAccount().ns.sign(WORKER_PAYPAL.PAYPAL_WEBHOOK_ID, event, transmissionTime);

/** Any event of a fresh account, for the refusals (its id must never be stored). */
async function anyEvent(): Promise<PayPalTestEvent> {
  const { ns, paypal } = paypalAccount();
  const created = answerOf(
    await paypal.createIntent({ amount: 700, currency: 'usd', captureMethod: 'automatic', idempotencyKey: key('c') }),
  );
  await ns.approve(created.providerId);
  const [event] = await ns.events();
  if (!event) throw new Error('no event');
  return event;
}

describe('POST /webhooks/paypal', () => {
  checkLedgerAfterEach();

  it('stores a signed PAYMENT.CAPTURE.COMPLETED once, delivered twice, and applies it once with one capture', async () => {
    const { paymentId, event } = await capturedBehindTheBack();
    for (let delivery = 0; delivery < 2; delivery++) {
      const res = await deliver(await signed(event));
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toEqual({ received: true });
    }
    const paid = await waitForStatus(paymentId, 'succeeded');
    expect(paid).toMatchObject({ amountCaptured: 1800 });
    const rows = await eventually(async () => {
      const found = await storedRows(event.id);
      return found[0]?.status === 'applied' && found;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'paypal', type: 'PAYMENT.CAPTURE.COMPLETED' });
    expect(await movementsOf(paymentId, 'capture')).toHaveLength(1);
  });

  it("accepts the local PayPal server's own deliveries, one row per event", async () => {
    const { ns, paypal } = paypalAccount();
    await ns.addWebhookEndpoint({ url: ns.sinkUrl, webhookId: WORKER_PAYPAL.PAYPAL_WEBHOOK_ID });
    const created = answerOf(
      await paypal.createIntent({ amount: 700, currency: 'usd', captureMethod: 'automatic', idempotencyKey: key('c') }),
    );
    await ns.approve(created.providerId);
    const posted = await eventually(async () => {
      const bin = await ns.sink();
      return bin.length === 1 && bin;
    });
    for (const { body, headers } of posted) expect((await deliver({ body, headers })).status).toBe(200);
    const [event] = await ns.events();
    // Stored by the Worker's own consumer once it has the queued event.
    const rows = await eventually(async () => {
      const found = await storedRows(String(event?.id));
      return found.length > 0 && found;
    });
    expect(rows).toMatchObject([
      { type: 'CHECKOUT.ORDER.APPROVED', payload: { intent: { status: 'requires_confirmation' } } },
    ]);
  });

  it('stores an event type the platform does not apply, without an object, as ignored', async () => {
    const event = { ...(await anyEvent()), id: `WH-${crypto.randomUUID()}`, event_type: 'CUSTOMER.DISPUTE.CREATED' };
    expect((await deliver(await signed(event))).status).toBe(200);
    const [row] = await eventually(async () => {
      const found = await storedRows(event.id);
      return found.length > 0 && found;
    });
    expect(row).toMatchObject({ type: 'CUSTOMER.DISPUTE.CREATED', status: 'ignored' });
    expect(row?.payload).not.toHaveProperty('intent');
  });

  describe('refuses with 400 and stores nothing', () => {
    const refused = async (res: Response, id: string) => {
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe('BAD_REQUEST');
      expect(await storedRows(id)).toEqual([]);
    };

    it('a body changed after it was signed (a forged event)', async () => {
      const event = await anyEvent();
      const { headers } = await signed(event);
      const body = JSON.stringify({ ...event, resource: { ...event.resource, status: 'COMPLETED' } });
      await refused(await deliver({ body, headers }), event.id);
    });

    it('a delivery signed for another webhook id', async () => {
      const event = await anyEvent();
      await refused(await deliver(await workerAccount().ns.sign('WH-SOMEONE-ELSE', event)), event.id);
    });

    it('a transmission time older than 5 minutes (a replay)', async () => {
      const event = await anyEvent();
      const stale = await signed(event, new Date(Date.now() - 301_000).toISOString());
      await refused(await deliver(stale), event.id);
    });

    it('a request without the PAYPAL-TRANSMISSION-SIG header', async () => {
      const event = await anyEvent();
      const { body, headers } = await signed(event);
      const { 'paypal-transmission-sig': _sig, ...rest } = headers;
      await refused(await deliver({ body, headers: rest }), event.id);
    });

    it('a signed body that is not a PayPal event, and one that is not JSON', async () => {
      const delivery = await signed({ hello: 'world' });
      const res = await deliver(delivery);
      expect(res.status).toBe(400);
      expect((await problemOf(res)).detail).toContain('not a PayPal event');
      const garbled = await deliver({ ...delivery, body: '{"id": "WH-1", ' });
      expect(garbled.status).toBe(400);
      expect((await problemOf(garbled)).detail).toContain('not JSON');
    });
  });

  describe('answers 503 and stores nothing', () => {
    it('without PAYPAL_WEBHOOK_ID', async () => {
      const event = await anyEvent();
      const res = await deliver(await signed(event), { PAYPAL_WEBHOOK_ID: undefined });
      expect(res.status).toBe(503);
      expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
      expect(await storedRows(event.id)).toEqual([]);
    });

    it('without the PayPal credentials', async () => {
      const event = await anyEvent();
      const res = await deliver(await signed(event), { PAYPAL_CLIENT_SECRET: undefined });
      expect(res.status).toBe(503);
      expect(await storedRows(event.id)).toEqual([]);
    });

    it('when PayPal cannot be asked to verify, so that PayPal delivers again', async () => {
      const event = await anyEvent();
      const res = await deliver(await signed(event), { PAYPAL_API_BASE: 'http://127.0.0.1:9' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await storedRows(event.id)).toEqual([]);
    });
  });
});
