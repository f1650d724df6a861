import { env } from 'cloudflare:workers';
import { PlatformEventSchema } from '@onasis/contracts';
import { eventually, type RecordedMessage, recordedMessages } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { subscriptionEvents } from '../src/services/platform-events.js';
import type { SubscriptionRow } from '../src/services/subscription-rows.js';
import { apply, newMember, providerViewOf, storeBillingEvent, subscribe } from './billing-helpers.js';
import { act, call, checkLedgerAfterEach, createPayment, paidPayment } from './helpers.js';

// What payments publishes for analytics, read back from the queue only the recorder consumes.
checkLedgerAfterEach();

const QUEUE = 'test-platform-events';

const withId = async (id: string) => (await recordedMessages(QUEUE)).filter((m) => m.id === id);

/** The events recorded with `id`, once there is one; every one a valid PlatformEvent. */
async function published(id: string): Promise<RecordedMessage[]> {
  const found = await eventually(async () => {
    const list = await withId(id);
    return list.length > 0 ? list : null;
  });
  for (const event of found) PlatformEventSchema.parse(event);
  return found;
}

describe('payments platform events', () => {
  it('publishes payment.succeeded, keyed by the payment, when a card payment succeeds', async () => {
    const payment = await paidPayment();
    const copies = await published(`payment.succeeded:${payment.id}`);
    // The confirmation's answer and the provider's own event may both tell it: under the one id, with one meaning.
    for (const event of copies) {
      expect(event).toMatchObject({
        kind: 'platform-event',
        type: 'payment.succeeded',
        userId: 'usr_alice',
        data: { paymentId: payment.id, provider: 'sandbox', amount: 2000, currency: 'usd' },
      });
    }
  });

  it('publishes nothing for a declined card', async () => {
    const payment = await createPayment();
    expect((await act(payment.id, 'confirm', { paymentMethod: 'pm_card_chargeDeclined' })).status).toBe(402);
    // A later success of another payment is published, so this one would have been by then.
    const other = await paidPayment();
    await published(`payment.succeeded:${other.id}`);
    expect(await withId(`payment.succeeded:${payment.id}`)).toEqual([]);
  });

  it('publishes payment.refunded for each refund that succeeds', async () => {
    const payment = await paidPayment();
    const refunds = [];
    for (const amount of [700, 300]) {
      const res = await call(`/api/v1/payments/intents/${payment.id}/refunds`, { json: { amount } });
      expect(res.status).toBe(201);
      refunds.push(await res.json<{ id: string }>());
    }
    const events = [];
    for (const refund of refunds) events.push(...(await published(`payment.refunded:${refund.id}`)));
    expect(events.map((e) => e.data)).toEqual([
      { paymentId: payment.id, refundId: refunds[0]?.id, amount: 700, currency: 'usd' },
      { paymentId: payment.id, refundId: refunds[1]?.id, amount: 300, currency: 'usd' },
    ]);
  });

  it('publishes subscription.started, its first invoice payment, and subscription.canceled once however often told', async () => {
    const member = await newMember();
    const subscription = await subscribe(member);
    const [started] = await published(`subscription.started:${subscription.id}`);
    expect(started).toMatchObject({
      userId: member.userId,
      data: { subscriptionId: subscription.id, planId: 'pro', interval: 'month', amount: 2000, currency: 'usd' },
    });
    const invoicePayment = await eventually(async () =>
      (await recordedMessages(QUEUE)).find((m) => m.type === 'payment.succeeded' && m.userId === member.userId),
    );
    expect(invoicePayment.data).toMatchObject({ amount: 2000, currency: 'usd' });

    const view = await providerViewOf(subscription.id);
    const deleted = await storeBillingEvent('customer.subscription.deleted', {
      subscription: { ...view, status: 'canceled', updatedAt: Date.now() + 1 },
    });
    await apply(deleted);
    await apply(deleted);
    expect(await published(`subscription.canceled:${subscription.id}`)).toHaveLength(1);
    expect(await withId(`subscription.started:${subscription.id}`)).toHaveLength(1);
  });

  it('counts only a subscription that was paid for: neither a trial nor an incomplete one that ends', () => {
    const row = {
      id: 'sub_x',
      userId: 'usr_x',
      plan: 'pro',
      status: 'canceled',
    } as const satisfies Partial<SubscriptionRow>;
    const asRow = (status: SubscriptionRow['status']) => ({ ...row, status }) as SubscriptionRow;
    expect(subscriptionEvents(env, asRow('canceled'), 'trialing')).toEqual([]);
    expect(subscriptionEvents(env, asRow('canceled'), 'incomplete')).toEqual([]);
    expect(subscriptionEvents(env, asRow('trialing'), null)).toEqual([]);
    expect(subscriptionEvents(env, asRow('canceled'), 'past_due').map((e) => e.id)).toEqual([
      'subscription.canceled:sub_x',
    ]);
    expect(subscriptionEvents(env, asRow('active'), 'trialing').map((e) => e.id)).toEqual([
      'subscription.started:sub_x',
    ]);
    expect(subscriptionEvents(env, asRow('active'), 'past_due')).toEqual([]);
  });
});
