import { describe, expect, it } from 'vitest';
import { ADMIN, act, BOB, call, checkLedgerAfterEach, createPayment, paidPayment } from './helpers.js';

checkLedgerAfterEach();

interface TimelineEvent {
  at: string;
  kind: string;
  amount: number | null;
  objectId: string;
  detail: string | null;
}

const timeline = async (id: string, as = ADMIN) => {
  const res = await call(`/api/v1/payments/intents/${id}/events`, {}, as);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ data: TimelineEvent[]; nextCursor: null }>()).data;
};

describe('payment timeline', () => {
  it('shows creation, capture and each refund asked for and made, oldest first', async () => {
    const payment = await paidPayment();
    const partial = await call(`/api/v1/payments/intents/${payment.id}/refunds`, { json: { amount: 500 } });
    expect(partial.status).toBe(201);
    const refund = await partial.json<{ id: string }>();
    const events = await timeline(payment.id);
    expect(events.map((e) => [e.kind, e.amount])).toEqual([
      ['created', 2000],
      ['captured', 2000],
      ['refund_requested', 500],
      ['refunded', 500],
    ]);
    expect(events.filter((e) => e.kind.startsWith('refund')).map((e) => e.objectId)).toEqual([refund.id, refund.id]);
    const times = events.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
  });

  it('ends a canceled payment with its cancellation and a declined one with the decline', async () => {
    const canceled = await createPayment();
    expect((await act(canceled.id, 'cancel')).status).toBe(200);
    expect((await timeline(canceled.id)).map((e) => e.kind)).toEqual(['created', 'canceled']);
    const declined = await createPayment();
    expect((await act(declined.id, 'confirm', { paymentMethod: 'pm_card_chargeDeclined' })).status).toBe(402);
    const last = (await timeline(declined.id)).at(-1);
    expect(last?.kind).toBe('failed');
    expect(last?.detail).toBeTruthy();
  });

  it("answers the owner and payments:manage, and 404 for another user's payment", async () => {
    const payment = await paidPayment();
    expect((await timeline(payment.id, undefined)).length).toBeGreaterThan(0);
    const res = await call(`/api/v1/payments/intents/${payment.id}/events`, {}, BOB);
    expect(res.status).toBe(404);
    expect((await call('/api/v1/payments/intents/pay_missing/events', {}, ADMIN)).status).toBe(404);
  });
});

describe('payment list filters', () => {
  it('filters by provider and status, and shows the payer to payments:manage', async () => {
    const payment = await paidPayment();
    const list = async (query: string) => {
      const res = await call(`/api/v1/payments/intents?${query}`, {}, ADMIN);
      expect(res.status).toBe(200);
      return (await res.json<{ data: { id: string; userId: string; provider: string }[] }>()).data;
    };
    const sandbox = await list('provider=sandbox&status=succeeded&limit=100');
    expect(sandbox.find((p) => p.id === payment.id)).toMatchObject({ userId: 'usr_alice', provider: 'sandbox' });
    expect(await list('provider=stripe&status=succeeded&limit=100')).not.toContainEqual(
      expect.objectContaining({ id: payment.id }),
    );
    const bad = await call('/api/v1/payments/intents?provider=cash', {}, ADMIN);
    expect(bad.status).toBe(400);
  });
});
