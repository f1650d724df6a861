import { describe, expect, it } from 'vitest';
import { createPayPalProvider } from '../src/providers/paypal.js';
import { answerOf, key, paypalAccount } from './paypal-helpers.js';

// The adapter over PayPal's REST API against the local PayPal server; each test has an app (client id), and so a
// PayPal "account", of its own.
type Adapter = ReturnType<typeof paypalAccount>['paypal'];

const create = (paypal: Adapter, captureMethod: 'automatic' | 'manual' = 'automatic', amount = 2000) =>
  paypal.createIntent({ amount, currency: 'USD', captureMethod, idempotencyKey: key('create') });

describe('PayPal adapter', () => {
  it('creates an order awaiting the buyer, with the approval URL, the amount in decimals and our payment id', async () => {
    const { ns, paypal } = paypalAccount();
    const idempotencyKey = key('create');
    const before = Date.now() - 1000;
    const intent = answerOf(
      await paypal.createIntent({
        amount: 1250,
        currency: 'usd',
        description: 'Order 7',
        captureMethod: 'automatic',
        reference: 'pay_order7',
        idempotencyKey,
      }),
    );
    expect(intent).toMatchObject({ status: 'requires_action', amount: 1250, amountCaptured: 0, currency: 'usd' });
    expect(intent.approvalUrl).toBe(`${ns.apiBase}/checkoutnow?token=${intent.providerId}`);
    expect(intent.updatedAt).toBeGreaterThanOrEqual(before);
    await ns.approve(intent.providerId);
    const [approved] = await ns.events('CHECKOUT.ORDER.APPROVED');
    expect(approved?.resource).toMatchObject({
      intent: 'CAPTURE',
      purchase_units: [
        {
          amount: { currency_code: 'USD', value: '12.50' },
          custom_id: 'pay_order7',
          description: 'Order 7',
        },
      ],
    });
    expect(answerOf(await paypal.retrieveIntent(intent.providerId)).status).toBe('requires_confirmation');
  });

  it("writes amounts by the currency's exponent: none for jpy, whole forints only", async () => {
    const { ns, paypal } = paypalAccount();
    const yen = answerOf(
      await paypal.createIntent({ amount: 500, currency: 'jpy', captureMethod: 'automatic', idempotencyKey: key('c') }),
    );
    await ns.approve(yen.providerId);
    const [approved] = await ns.events('CHECKOUT.ORDER.APPROVED');
    expect(approved?.resource).toMatchObject({ purchase_units: [{ amount: { currency_code: 'JPY', value: '500' } }] });
    expect(yen).toMatchObject({ amount: 500, currency: 'jpy' });
    const forints = await paypal.createIntent({
      amount: 100_050,
      currency: 'huf',
      captureMethod: 'automatic',
      idempotencyKey: key('c'),
    });
    expect(forints).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('makes one order per idempotency key (PayPal-Request-Id), also when the first answer was lost', async () => {
    const { ns, paypal } = paypalAccount();
    const input = { amount: 900, currency: 'eur', captureMethod: 'automatic' as const, idempotencyKey: key('create') };
    await ns.script([{ status: 500, afterHandling: true }]);
    expect(await paypal.createIntent(input)).toMatchObject({ ok: false, kind: 'unavailable' });
    const first = answerOf(await paypal.createIntent(input));
    const again = answerOf(await paypal.createIntent(input));
    expect(again.providerId).toBe(first.providerId);
    const other = answerOf(await paypal.createIntent({ ...input, idempotencyKey: key('create') }));
    expect(other.providerId).not.toBe(first.providerId);
  });

  it('leaves an order the buyer has not approved requires_action on confirm, and captures it once approved', async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal));
    const early = answerOf(await paypal.confirmIntent(providerId, 'paypal', key('confirm:1')));
    expect(early).toMatchObject({ status: 'requires_action', approvalUrl: expect.stringContaining(providerId) });
    await ns.approve(providerId);
    const confirmKey = key('confirm:2');
    const captured = answerOf(await paypal.confirmIntent(providerId, 'paypal', confirmKey));
    expect(captured).toMatchObject({ status: 'succeeded', amount: 2000, amountCaptured: 2000 });
    expect(captured).not.toHaveProperty('approvalUrl');
    // A retry of the same confirmation, or a new one, finds the order captured: no second capture.
    expect(answerOf(await paypal.confirmIntent(providerId, 'paypal', confirmKey)).status).toBe('succeeded');
    expect(answerOf(await paypal.confirmIntent(providerId, 'paypal', key('confirm:3'))).status).toBe('succeeded');
    expect(await ns.events('PAYMENT.CAPTURE.COMPLETED')).toHaveLength(1);
  });

  it('authorises with manual capture, captures part of it, then refunds within what was captured', async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal, 'manual', 1000));
    await ns.approve(providerId);
    expect(answerOf(await paypal.confirmIntent(providerId, 'paypal', key('confirm')))).toMatchObject({
      status: 'requires_capture',
      amountCaptured: 0,
    });
    expect(answerOf(await paypal.captureIntent(providerId, 600, key('capture')))).toMatchObject({
      status: 'succeeded',
      amountCaptured: 600,
    });
    const refund = answerOf(await paypal.createRefund(providerId, 400, 'requested_by_customer', key('refund')));
    expect(refund).toMatchObject({ status: 'succeeded', amount: 400, currency: 'usd' });
    const refundKey = key('refund');
    const rest = answerOf(await paypal.createRefund(providerId, 200, undefined, refundKey));
    expect(answerOf(await paypal.createRefund(providerId, 200, undefined, refundKey)).providerId).toBe(rest.providerId);
    expect(await paypal.createRefund(providerId, 1, undefined, key('refund'))).toMatchObject({
      ok: false,
      kind: 'invalid',
    });
    expect(await ns.events('PAYMENT.CAPTURE.REFUNDED')).toHaveLength(2);
  });

  it('answers a declined capture as a decline that carries the payment back at requires_payment_method', async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal));
    await ns.approve(providerId, { decline: true });
    const declined = await paypal.confirmIntent(providerId, 'paypal', key('confirm'));
    expect(declined).toMatchObject({
      ok: false,
      kind: 'declined',
      error: { code: 'payment_method_provider_decline', declineCode: 'declined' },
      value: { status: 'requires_payment_method', amountCaptured: 0 },
    });
  });

  it("maps PayPal's INSTRUMENT_DECLINED to a decline, other 422s and 400s to invalid", async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal));
    await ns.approve(providerId);
    await ns.script([{ status: 422, path: '/capture' }]);
    expect(await paypal.confirmIntent(providerId, 'paypal', key('confirm'))).toMatchObject({
      ok: false,
      kind: 'declined',
      error: { declineCode: 'instrument_declined' },
    });
    expect(await paypal.captureIntent(providerId, undefined, key('capture'))).toMatchObject({ kind: 'invalid' });
    expect(await paypal.retrieveIntent('NOSUCHORDER')).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('keeps a capture PENDING as processing until PayPal completes it', async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal));
    await ns.approve(providerId, { pending: true });
    expect(answerOf(await paypal.confirmIntent(providerId, 'paypal', key('confirm')))).toMatchObject({
      status: 'processing',
      amountCaptured: 0,
    });
    const [pending] = await ns.events('PAYMENT.CAPTURE.PENDING');
    await ns.settle({ captureId: String(pending?.resource.id) });
    expect(answerOf(await paypal.retrieveIntent(providerId))).toMatchObject({
      status: 'succeeded',
      amountCaptured: 2000,
    });
  });

  it('cancels an order never approved without calling PayPal, and voids an authorization', async () => {
    const { ns, paypal } = paypalAccount();
    const open = answerOf(await create(paypal));
    const canceled = answerOf(await paypal.cancelIntent(open.providerId, key('cancel')));
    expect(canceled.status).toBe('canceled');
    expect(canceled).not.toHaveProperty('approvalUrl');
    const held = answerOf(await create(paypal, 'manual'));
    await ns.approve(held.providerId);
    answerOf(await paypal.confirmIntent(held.providerId, 'paypal', key('confirm')));
    const cancelKey = key('cancel');
    expect(answerOf(await paypal.cancelIntent(held.providerId, cancelKey)).status).toBe('canceled');
    expect(answerOf(await paypal.cancelIntent(held.providerId, cancelKey)).status).toBe('canceled');
    expect(await ns.events('PAYMENT.AUTHORIZATION.VOIDED')).toHaveLength(1);
  });

  it('keeps one access token across calls, and after it expires fetches exactly one new one', async () => {
    const { ns, paypal } = paypalAccount();
    const { providerId } = answerOf(await create(paypal));
    answerOf(await paypal.retrieveIntent(providerId));
    expect(await ns.tokensIssued()).toBe(1);
    await ns.expireTokens();
    expect(answerOf(await paypal.retrieveIntent(providerId)).providerId).toBe(providerId);
    answerOf(await paypal.retrieveIntent(providerId));
    expect(await ns.tokensIssued()).toBe(2);
  });

  it('answers unavailable when a fresh token is refused too, and for 5xx, 429 and an unreachable PayPal', async () => {
    const { ns, paypal } = paypalAccount();
    await ns.script([{ status: 401 }, { status: 401 }]);
    expect(await create(paypal)).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(await ns.tokensIssued()).toBe(2);
    await ns.script([{ status: 503 }]);
    expect(await create(paypal)).toMatchObject({ ok: false, kind: 'unavailable' });
    await ns.script([{ status: 429 }]);
    expect(await create(paypal)).toMatchObject({ ok: false, kind: 'unavailable' });
    const nowhere = createPayPalProvider({ clientId: 'x', clientSecret: 'y', apiBase: 'http://127.0.0.1:9' });
    const unreachable = await create(nowhere);
    expect(unreachable).toMatchObject({ ok: false, kind: 'unavailable' });
  });
});
