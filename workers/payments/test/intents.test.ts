import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { paymentIntents } from '../src/db/schema.js';
import {
  ADMIN,
  ALICE,
  act,
  BOB,
  call,
  checkLedgerAfterEach,
  createPayment,
  getPayment,
  paidPayment,
} from './helpers.js';

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

describe('payment transitions', () => {
  it('requires_payment_method → succeeded with pm_card_visa, recording the capture in the ledger', async () => {
    const payment = await paidPayment();
    expect(payment).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    const ledger = await (await call('/api/v1/payments/ledger?limit=100', {}, ADMIN)).json<{
      data: { paymentId: string; kind: string; entries: { account: string; amount: number }[] }[];
    }>();
    const capture = ledger.data.find((t) => t.paymentId === payment.id);
    expect(capture?.kind).toBe('capture');
    expect(capture?.entries).toEqual(
      expect.arrayContaining([
        { account: 'provider:sandbox', currency: 'usd', amount: 2000 },
        { account: 'revenue', currency: 'usd', amount: -2000 },
      ]),
    );
  });

  it('requires_payment_method → requires_capture → succeeded with a partial manual capture', async () => {
    const authorised = await paidPayment({ captureMethod: 'manual' });
    expect(authorised).toMatchObject({ status: 'requires_capture', amountCaptured: 0 });
    const tooMuch = await act(authorised.id, 'capture', { amount: 2001 });
    expect(tooMuch.status).toBe(400);
    const captured = await act(authorised.id, 'capture', { amount: 1500 });
    expect(captured.status).toBe(200);
    expect(await captured.json()).toMatchObject({ status: 'succeeded', amountCaptured: 1500 });
    const twice = await act(authorised.id, 'capture', {});
    expect(twice.status).toBe(409);
    expect((await problemOf(twice)).detail).toContain('succeeded');
  });

  it('requires_capture → canceled, and requires_payment_method → canceled; canceled is final', async () => {
    const authorised = await paidPayment({ captureMethod: 'manual' });
    const canceled = await act(authorised.id, 'cancel');
    expect(await canceled.json()).toMatchObject({ status: 'canceled', amountCaptured: 0 });
    const fresh = await createPayment();
    expect(await (await act(fresh.id, 'cancel')).json()).toMatchObject({ status: 'canceled' });
    for (const action of ['confirm', 'capture', 'cancel']) {
      const res = await act(fresh.id, action, { paymentMethod: 'pm_card_visa' });
      expect(res.status, action).toBe(409);
      expect((await problemOf(res)).code).toBe('CONFLICT');
    }
  });

  it('declines pm_card_chargeDeclined with a 402 carrying the decline code, back to requires_payment_method', async () => {
    const payment = await createPayment();
    const res = await act(payment.id, 'confirm', { paymentMethod: 'pm_card_chargeDeclined' });
    expect(res.status).toBe(402);
    const problem = await problemOf(res);
    expect(problem.code).toBe('PAYMENT_FAILED');
    expect(problem.detail).toContain('card_declined');
    expect(problem.detail).toContain('generic_decline');
    const after = await getPayment(payment.id);
    expect(after).toMatchObject({
      status: 'requires_payment_method',
      lastError: { code: 'card_declined', declineCode: 'generic_decline' },
    });
    const retried = await act(payment.id, 'confirm', { paymentMethod: 'pm_card_visa' });
    expect(await retried.json()).toMatchObject({ status: 'succeeded', lastError: null });
  });

  it('refuses succeeded → any action but refunds with 409 naming the status', async () => {
    const payment = await paidPayment();
    for (const action of ['confirm', 'capture', 'cancel']) {
      const res = await act(payment.id, action, { paymentMethod: 'pm_card_visa' });
      expect(res.status, action).toBe(409);
      expect((await problemOf(res)).detail).toContain('succeeded');
    }
  });

  it('lets one of two racing confirmations win and answers the other 409, with one capture', async () => {
    const payment = await createPayment();
    const results = await Promise.all(
      [1, 2, 3].map(() => act(payment.id, 'confirm', { paymentMethod: 'pm_card_visa' })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    const ledger = await (await call('/api/v1/payments/ledger?limit=100', {}, ADMIN)).json<{
      data: { paymentId: string }[];
    }>();
    expect(ledger.data.filter((t) => t.paymentId === payment.id)).toHaveLength(1);
  });
});
