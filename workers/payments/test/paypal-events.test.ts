import type { PayPalTestEvent } from '@onasis/testing/paypal-server/client';
import { describe, expect, it } from 'vitest';
import { paypalEventOf } from '../src/providers/paypal.js';
import type { ProviderEvent } from '../src/providers/provider.js';
import { answerOf, key, paypalAccount } from './paypal-helpers.js';

// Events as the local PayPal server records them for each state change, mapped to the platform's model.
type Run = (account: ReturnType<typeof paypalAccount>, orderId: string) => Promise<void>;

async function eventsOf(captureMethod: 'automatic' | 'manual', run: Run) {
  const account = paypalAccount();
  const created = answerOf(
    await account.paypal.createIntent({ amount: 900, currency: 'gbp', captureMethod, idempotencyKey: key('c') }),
  );
  await run(account, created.providerId);
  const events = await account.ns.events();
  return { orderId: created.providerId, events, mapped: events.map((e) => paypalEventOf(e)) };
}

const byType = (mapped: ProviderEvent[], type: string) => mapped.find((e) => e.type === type);

const resourceTime = (e: PayPalTestEvent | undefined) => Date.parse(String(e?.resource.update_time));

describe('paypalEventOf', () => {
  it('maps the approval and the capture to the order, timed by the resource, with the event id and time', async () => {
    const { orderId, events, mapped } = await eventsOf('automatic', async ({ ns, paypal }, id) => {
      await ns.approve(id);
      await paypal.confirmIntent(id, 'paypal', key('confirm'));
    });
    expect(mapped.map((e) => [e.type, e.intent?.providerId, e.intent?.status])).toEqual([
      ['CHECKOUT.ORDER.APPROVED', orderId, 'requires_confirmation'],
      ['PAYMENT.CAPTURE.COMPLETED', orderId, 'succeeded'],
    ]);
    const [, capture] = mapped;
    expect(capture).toMatchObject({
      id: events[1]?.id,
      provider: 'paypal',
      createdAt: Date.parse(String(events[1]?.create_time)),
      intent: { amount: 900, amountCaptured: 900, currency: 'gbp', updatedAt: resourceTime(events[1]) },
    });
    expect(capture?.id).toMatch(/^WH-/);
  });

  it('maps an authorization created and voided to requires_capture and canceled', async () => {
    const { mapped } = await eventsOf('manual', async ({ ns, paypal }, id) => {
      await ns.approve(id);
      await paypal.confirmIntent(id, 'paypal', key('confirm'));
      await paypal.cancelIntent(id, key('cancel'));
    });
    expect(byType(mapped, 'PAYMENT.AUTHORIZATION.CREATED')?.intent).toMatchObject({
      status: 'requires_capture',
      amountCaptured: 0,
    });
    expect(byType(mapped, 'PAYMENT.AUTHORIZATION.VOIDED')?.intent?.status).toBe('canceled');
  });

  it('maps a declined capture and a pending one that is then denied', async () => {
    const declined = await eventsOf('automatic', async ({ ns, paypal }, id) => {
      await ns.approve(id, { decline: true });
      await paypal.confirmIntent(id, 'paypal', key('confirm'));
    });
    expect(byType(declined.mapped, 'PAYMENT.CAPTURE.DECLINED')?.intent).toMatchObject({
      status: 'requires_payment_method',
      lastError: { code: 'payment_method_provider_decline' },
    });
    const denied = await eventsOf('automatic', async ({ ns, paypal }, id) => {
      await ns.approve(id, { pending: true });
      await paypal.confirmIntent(id, 'paypal', key('confirm'));
      const [pending] = await ns.events('PAYMENT.CAPTURE.PENDING');
      await ns.settle({ captureId: String(pending?.resource.id), outcome: 'deny' });
    });
    expect(byType(denied.mapped, 'PAYMENT.CAPTURE.PENDING')?.intent?.status).toBe('processing');
    expect(byType(denied.mapped, 'PAYMENT.CAPTURE.DENIED')?.intent).toMatchObject({
      status: 'requires_payment_method',
      lastError: { declineCode: 'declined' },
    });
  });

  it('maps PAYMENT.CAPTURE.REFUNDED to the refund, found by its own id', async () => {
    let refundId = '';
    const { mapped, events } = await eventsOf('automatic', async ({ ns, paypal }, id) => {
      await ns.approve(id);
      await paypal.confirmIntent(id, 'paypal', key('confirm'));
      refundId = answerOf(await paypal.createRefund(id, 300, undefined, key('refund'))).providerId;
    });
    const captureId = events.find((e) => e.event_type === 'PAYMENT.CAPTURE.COMPLETED')?.resource.id;
    expect(byType(mapped, 'PAYMENT.CAPTURE.REFUNDED')).toMatchObject({
      refund: { providerId: refundId, status: 'succeeded', amount: 300, currency: 'gbp', paymentProviderId: captureId },
    });
    expect(byType(mapped, 'PAYMENT.CAPTURE.REFUNDED')).not.toHaveProperty('intent');
  });

  it('leaves other event types, and payments without their order, without an object', () => {
    const base = { id: 'WH-1', create_time: '2026-12-06T00:00:00Z', resource: { id: 'X', status: 'COMPLETED' } };
    const other = paypalEventOf({ ...base, event_type: 'CUSTOMER.DISPUTE.CREATED' });
    expect(other).toEqual({
      id: 'WH-1',
      provider: 'paypal',
      type: 'CUSTOMER.DISPUTE.CREATED',
      createdAt: Date.parse(base.create_time),
    });
    expect(paypalEventOf({ ...base, event_type: 'PAYMENT.CAPTURE.COMPLETED' })).not.toHaveProperty('intent');
  });
});
