import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { paymentIntents } from '../src/db/schema.js';
import type { PaymentProvider } from '../src/providers/provider.js';
import { SandboxProvider } from '../src/providers/sandbox.js';
import { createIntent } from '../src/services/create-intent.js';
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
    const carol = { ...BOB, userId: `usr_carol_${crypto.randomUUID().slice(0, 8)}` };
    for (let i = 0; i < 3; i++) await createPayment({}, carol);
    // Newest first by creation time, then id: read back in that order (two may share a millisecond).
    const stored = await dbOf(env.DB)
      .select({ id: paymentIntents.id })
      .from(paymentIntents)
      .where(eq(paymentIntents.userId, carol.userId))
      .orderBy(desc(paymentIntents.createdAt), desc(paymentIntents.id));
    const ids = stored.map((r) => r.id);
    const first = await (await call('/api/v1/payments/intents?limit=2', {}, carol)).json<{
      data: { id: string }[];
      nextCursor: string;
    }>();
    expect(first.data.map((p) => p.id)).toEqual(ids.slice(0, 2));
    const second = await (await call(`/api/v1/payments/intents?limit=2&cursor=${first.nextCursor}`, {}, carol)).json<{
      data: { id: string }[];
      nextCursor: string | null;
    }>();
    expect(second).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    const succeeded = await (await call('/api/v1/payments/intents?status=succeeded', {}, carol)).json<{
      data: unknown[];
    }>();
    expect(succeeded.data).toEqual([]);
    const admin = await (await call(`/api/v1/payments/intents?userId=${carol.userId}&limit=100`, {}, ADMIN)).json<{
      data: { id: string }[];
    }>();
    expect(admin.data.map((p) => p.id)).toEqual(ids);
    const ignored = await (await call(`/api/v1/payments/intents?userId=${carol.userId}`, {}, ALICE)).json<{
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

describe('payment intents with a provider that fails', () => {
  it('answers 502 and keeps no payment when the provider is down at create', async () => {
    const down = Object.assign(Object.create(new SandboxProvider(env)) as PaymentProvider, {
      createIntent: async () => ({ ok: false as const, kind: 'unavailable' as const, message: 'connection reset' }),
    });
    const dave = { ...BOB, userId: `usr_dave_${crypto.randomUUID().slice(0, 8)}` };
    const input = { amount: 2000, currency: 'usd', captureMethod: 'automatic' as const };
    await expect(createIntent(dbOf(env.DB), down, dave, input)).rejects.toMatchObject({ code: 'UPSTREAM_FAILED' });
    const rows = await dbOf(env.DB).select().from(paymentIntents).where(eq(paymentIntents.userId, dave.userId));
    expect(rows).toEqual([]);
  });

  it('refuses a provider that is not configured here with 400', async () => {
    const res = await call('/api/v1/payments/intents', { json: { amount: 2000, currency: 'usd', provider: 'paypal' } });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toContain('provider');
  });
});
