import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { ledgerTransactions, refunds } from '../src/db/schema.js';
import type { PaymentProvider } from '../src/providers/provider.js';
import { SandboxProvider } from '../src/providers/sandbox.js';
import { createRefund } from '../src/services/create-refund.js';
import { ADMIN, ALICE, BOB, call, checkLedgerAfterEach, createPayment, getPayment, paidPayment } from './helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

interface Refund {
  id: string;
  paymentId: string;
  amount: number;
  status: string;
}

const refund = (id: string, json: unknown = {}, as = ALICE, headers: Record<string, string> = {}) =>
  call(`/api/v1/payments/intents/${id}/refunds`, { json, headers }, as);

/** The sandbox, except that its refunds fail as a provider that is down would. */
function downForRefunds(): PaymentProvider {
  const sandbox = new SandboxProvider(env);
  return Object.assign(Object.create(sandbox) as PaymentProvider, {
    createRefund: async () => ({ ok: false as const, kind: 'unavailable' as const, message: 'connection reset' }),
  });
}

describe('refunds', () => {
  it('refunds in several parts, never more than was captured, and lists them newest first', async () => {
    const payment = await paidPayment();
    const first = await refund(payment.id, { amount: 500, reason: 'requested_by_customer' });
    expect(first.status).toBe(201);
    const one = await first.json<Refund>();
    expect(one).toMatchObject({
      paymentId: payment.id,
      amount: 500,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    expect(one.id).toMatch(/^re_/);
    const rest = await refund(payment.id);
    expect(await rest.json()).toMatchObject({ amount: 1500, status: 'succeeded' });
    const more = await refund(payment.id, { amount: 1 });
    expect(more.status).toBe(409);
    expect((await problemOf(more)).code).toBe('CONFLICT');
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 2000, status: 'succeeded' });
    const list = await (await call(`/api/v1/payments/intents/${payment.id}/refunds`)).json<{ data: Refund[] }>();
    expect(list.data.map((r) => r.amount)).toEqual([1500, 500]);
    const movements = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, payment.id));
    expect(movements.map((m) => m.kind).sort()).toEqual(['capture', 'refund', 'refund']);
  });

  it('lets exactly the allowed ones of concurrent partial refunds succeed, and the ledger balances', async () => {
    const payment = await paidPayment();
    const results = await Promise.all(Array.from({ length: 6 }, () => refund(payment.id, { amount: 700 })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 1400 });
    const stored = await db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
    expect(stored.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const verify = await (await call('/api/v1/payments/ledger/verify', {}, ADMIN)).json<{
      balanced: boolean;
      accounts: { account: string; currency: string; balance: number }[];
    }>();
    expect(verify.balanced).toBe(true);
  });

  it('refuses a refund of a payment not succeeded, and of another user (404) unless payments:manage', async () => {
    const open = await createPayment();
    expect((await refund(open.id)).status).toBe(409);
    const payment = await paidPayment();
    expect((await refund(payment.id, { amount: 100 }, BOB)).status).toBe(404);
    expect((await call(`/api/v1/payments/intents/${payment.id}/refunds`, {}, BOB)).status).toBe(404);
    const byAdmin = await refund(payment.id, { amount: 100 }, ADMIN);
    expect(byAdmin.status).toBe(201);
    expect((await refund(payment.id, { amount: 0 })).status).toBe(400);
    expect((await refund(payment.id, { reason: 'card 4242424242424242' })).status).toBe(400);
  });

  it('makes one refund when a refund is retried with the same Idempotency-Key', async () => {
    const payment = await paidPayment();
    const headers = { 'idempotency-key': `re-${crypto.randomUUID()}` };
    const first = await (await refund(payment.id, { amount: 300 }, ALICE, headers)).json<Refund>();
    const again = await (await refund(payment.id, { amount: 300 }, ALICE, headers)).json<Refund>();
    expect(again.id).toBe(first.id);
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 300 });
  });

  it('resumes a refund interrupted after its reservation when retried with the same key', async () => {
    const payment = await paidPayment();
    const crashing = Object.assign(Object.create(new SandboxProvider(env)) as PaymentProvider, {
      createRefund: async () => {
        throw new Error('the Worker was stopped mid-request');
      },
    });
    const key = `re-${crypto.randomUUID()}`;
    const input = { paymentId: payment.id, amount: 600 };
    await expect(createRefund(env, crashing, ALICE, input, key)).rejects.toThrow('stopped');
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 600 });
    const resumed = await createRefund(env, new SandboxProvider(env), ALICE, input, key);
    expect(resumed).toMatchObject({ status: 'succeeded', amount: 600 });
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 600 });
    const stored = await db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
    expect(stored).toHaveLength(1);
  });

  it('releases the reservation and marks the refund failed when the provider is down', async () => {
    const payment = await paidPayment();
    const failed = createRefund(env, downForRefunds(), ALICE, { paymentId: payment.id, amount: 800 });
    await expect(failed).rejects.toMatchObject({ code: 'UPSTREAM_FAILED' });
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 0 });
    const stored = await db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
    expect(stored).toMatchObject([{ status: 'failed', failureReason: 'connection reset' }]);
    const movements = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, payment.id));
    expect(movements.map((m) => m.kind)).toEqual(['capture']);
    expect((await refund(payment.id)).status).toBe(201);
  });
});

describe('ledger routes', () => {
  it('needs payments:manage, and verifies a balanced ledger with account balances', async () => {
    expect((await call('/api/v1/payments/ledger', {}, ALICE)).status).toBe(403);
    expect((await call('/api/v1/payments/ledger/verify', {}, ALICE)).status).toBe(403);
    const payment = await paidPayment();
    await refund(payment.id, { amount: 250 });
    const verify = await (await call('/api/v1/payments/ledger/verify', {}, ADMIN)).json<{
      balanced: boolean;
      transactions: number;
      accounts: { account: string; currency: string; balance: number }[];
    }>();
    expect(verify.balanced).toBe(true);
    expect(verify.transactions).toBeGreaterThanOrEqual(2);
    expect(verify.accounts.map((a) => a.account)).toEqual(
      expect.arrayContaining(['provider:sandbox', 'refunds', 'revenue']),
    );
    const page = await (await call('/api/v1/payments/ledger?limit=1', {}, ADMIN)).json<{
      data: { kind: string; refundId: string | null }[];
      nextCursor: string | null;
    }>();
    expect(page.data).toHaveLength(1);
    expect(page.data[0]?.kind).toBe('refund');
    expect(page.nextCursor).not.toBeNull();
  });
});
