import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { paymentIntents } from '../src/db/schema.js';
import { ADMIN, ALICE, act, BOB, call, checkLedgerAfterEach, createPayment, getPayment } from './helpers.js';

checkLedgerAfterEach();

describe('payment intents', () => {
  it('creates a sandbox payment awaiting a payment method, with a client secret for its owner only', async () => {
    const payment = await createPayment({ description: 'Pro plan', metadata: { order: 'o_1' } });
    expect(payment).toMatchObject({
      status: 'requires_payment_method',
      amount: 2000,
      currency: 'usd',
      provider: 'sandbox',
      captureMethod: 'automatic',
      amountCaptured: 0,
      amountRefunded: 0,
      description: 'Pro plan',
      metadata: { order: 'o_1' },
      lastError: null,
    });
    expect(payment.id).toMatch(/^pay_[0-9a-f]{32}$/);
    expect(payment.clientSecret).toMatch(/^sbx_pi_/);
    expect((await getPayment(payment.id, ADMIN)).clientSecret).toBeUndefined();
  });

  it("answers another user's payment as 404 on every route, and lists only the caller's own", async () => {
    const payment = await createPayment();
    expect((await call(`/api/v1/payments/intents/${payment.id}`, {}, BOB)).status).toBe(404);
    for (const action of ['confirm', 'capture', 'cancel', 'refunds', 'sandbox/authenticate']) {
      const res = await act(payment.id, action, { paymentMethod: 'pm_card_visa', outcome: 'succeed' }, BOB);
      expect(res.status, action).toBe(404);
    }
    expect((await call(`/api/v1/payments/intents/${payment.id}/refunds`, {}, BOB)).status).toBe(404);
    const bobs = await (await call('/api/v1/payments/intents', {}, BOB)).json<{ data: { id: string }[] }>();
    expect(bobs.data.map((p) => p.id)).not.toContain(payment.id);
  });

  it('lists newest first with a cursor and a status filter; an admin sees everyone and filters by user', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createPayment({}, BOB)).id);
    const first = await (await call('/api/v1/payments/intents?limit=2', {}, BOB)).json<{
      data: { id: string }[];
      nextCursor: string;
    }>();
    expect(first.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await (await call(`/api/v1/payments/intents?limit=2&cursor=${first.nextCursor}`, {}, BOB)).json<{
      data: { id: string }[];
      nextCursor: string | null;
    }>();
    expect(second.data.map((p) => p.id)).toContain(ids[0]);
    const succeeded = await (await call('/api/v1/payments/intents?status=succeeded', {}, BOB)).json<{
      data: unknown[];
    }>();
    expect(succeeded.data).toEqual([]);
    const admin = await (await call('/api/v1/payments/intents?userId=usr_bob&limit=100', {}, ADMIN)).json<{
      data: { id: string }[];
    }>();
    expect(admin.data.map((p) => p.id)).toEqual(expect.arrayContaining(ids));
    const ignored = await (await call('/api/v1/payments/intents?userId=usr_bob', {}, ALICE)).json<{
      data: { id: string }[];
    }>();
    expect(ignored.data.map((p) => p.id)).not.toContain(ids[0]);
  });

  it('makes one payment and one provider object when a create is retried with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': `key-${crypto.randomUUID()}` };
    const json = { amount: 2000, currency: 'usd' };
    const first = await call('/api/v1/payments/intents', { json, headers });
    expect(first.status).toBe(201);
    const payment = await first.json<{ id: string }>();
    // The answer was lost after the provider call; so was our record of it: the retry must find the same object.
    await dbOf(env.DB).update(paymentIntents).set({ providerIntentId: null }).where(eq(paymentIntents.id, payment.id));
    const retried = await Promise.all([1, 2].map(() => call('/api/v1/payments/intents', { json, headers })));
    const again = await Promise.all(retried.map((r) => r.json<{ id: string }>()));
    expect(again.map((p) => p.id)).toEqual([payment.id, payment.id]);
    const rows = await dbOf(env.DB).select().from(paymentIntents).where(eq(paymentIntents.userId, ALICE.userId));
    const mine = rows.filter((r) => r.id === payment.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.providerIntentId).toMatch(/^sbx_pi_/);
    const other = await call('/api/v1/payments/intents', { json, headers }, BOB);
    expect((await other.json<{ id: string }>()).id).not.toBe(payment.id);
  });
});
