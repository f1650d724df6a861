import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { checkLedgerAfterEach, getPayment, type Payment } from './helpers.js';
import { callWithPayPal as call, movementsOf, orderIdOf, workerAccount } from './paypal-helpers.js';

// Through the payments routes with `provider: "paypal"`: the Worker's own PayPal app on the local PayPal server, where
// the test approves as the buyer would at the approval URL.
async function paypalPayment(body: Record<string, unknown> = {}): Promise<Payment & { provider: string }> {
  const res = await call('/api/v1/payments/intents', {
    json: { amount: 2000, currency: 'usd', provider: 'paypal', ...body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

const act = (id: string, action: string, json: unknown = {}) =>
  call(`/api/v1/payments/intents/${id}/${action}`, { json });

describe('payments with PayPal', () => {
  checkLedgerAfterEach();

  it('creates a payment awaiting the buyer at the approval URL', async () => {
    const payment = await paypalPayment();
    expect(payment).toMatchObject({ provider: 'paypal', status: 'requires_action', amount: 2000, currency: 'usd' });
    expect(payment.approvalUrl).toContain('/checkoutnow?token=');
    expect(payment).not.toHaveProperty('clientSecret');
  });

  it('answers requires_action to a confirmation before the buyer approved, and moves nothing', async () => {
    const payment = await paypalPayment();
    const res = await act(payment.id, 'confirm', { paymentMethod: 'paypal' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'requires_action', approvalUrl: payment.approvalUrl });
  });

  it('captures once approved and confirmed: succeeded, one capture in the ledger, then a partial refund', async () => {
    const { ns } = workerAccount();
    const payment = await paypalPayment();
    await ns.approve(orderIdOf(payment));
    const res = await act(payment.id, 'confirm', { paymentMethod: 'paypal' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    expect(await movementsOf(payment.id, 'capture')).toHaveLength(1);
    const refund = await call(`/api/v1/payments/intents/${payment.id}/refunds`, { json: { amount: 500 } });
    expect(refund.status, await refund.clone().text()).toBe(201);
    expect(await refund.json()).toMatchObject({ amount: 500, status: 'succeeded' });
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountRefunded: 500 });
    expect(await movementsOf(payment.id, 'refund')).toHaveLength(1);
  });

  it('authorises with manual capture, then captures part of it through the capture route', async () => {
    const { ns } = workerAccount();
    const payment = await paypalPayment({ captureMethod: 'manual' });
    await ns.approve(orderIdOf(payment));
    const confirmed = await act(payment.id, 'confirm', { paymentMethod: 'paypal' });
    expect(await confirmed.json()).toMatchObject({ status: 'requires_capture' });
    const captured = await act(payment.id, 'capture', { amount: 1500 });
    expect(captured.status, await captured.clone().text()).toBe(200);
    expect(await captured.json()).toMatchObject({ status: 'succeeded', amountCaptured: 1500 });
    expect(await movementsOf(payment.id, 'capture')).toHaveLength(1);
  });

  it('answers a declined capture 402 PAYMENT_FAILED and records the payment back at requires_payment_method', async () => {
    const { ns } = workerAccount();
    const payment = await paypalPayment();
    await ns.approve(orderIdOf(payment), { decline: true });
    const res = await act(payment.id, 'confirm', { paymentMethod: 'paypal' });
    expect(res.status).toBe(402);
    expect((await problemOf(res)).detail).toContain('payment_method_provider_decline');
    expect(await getPayment(payment.id)).toMatchObject({
      status: 'requires_payment_method',
      lastError: { code: 'payment_method_provider_decline' },
    });
    expect(await movementsOf(payment.id, 'capture')).toHaveLength(0);
  });

  it('cancels a payment the buyer never approved', async () => {
    const payment = await paypalPayment();
    const res = await act(payment.id, 'cancel');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'canceled' });
  });
});
