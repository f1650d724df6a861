import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { paymentIntents } from '../src/db/schema.js';
import { deliver, storeEvent } from './event-helpers.js';
import { ADMIN, act, call, checkLedgerAfterEach, createPayment, getPayment, paidPayment } from './helpers.js';

checkLedgerAfterEach();

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

  it('lets one of three racing confirmations win and answers the others 409, with one capture', async () => {
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

describe('payment transitions driven by events', () => {
  it('requires_action → canceled by the cancel route; processing refuses cancel with 409', async () => {
    const payment = await createPayment();
    await act(payment.id, 'confirm', { paymentMethod: 'pm_card_authenticationRequired' });
    expect(await (await act(payment.id, 'cancel')).json()).toMatchObject({ status: 'canceled' });
    const bank = await createPayment();
    await act(bank.id, 'confirm', { paymentMethod: 'pm_usBankAccount' });
    const refused = await act(bank.id, 'cancel');
    expect(refused.status).toBe(409);
    expect((await problemOf(refused)).detail).toContain('processing');
  });

  it('processing → requires_payment_method when the bank debit fails', async () => {
    const bank = await createPayment();
    await act(bank.id, 'confirm', { paymentMethod: 'pm_usBankAccount' });
    const row = await dbOf(env.DB).select().from(paymentIntents).where(eq(paymentIntents.id, bank.id)).get();
    if (!row?.providerIntentId) throw new Error('no provider id');
    const lastError = { code: 'payment_method_provider_decline', message: 'The bank refused the debit.' };
    const failed = await storeEvent('payment_intent.payment_failed', {
      providerId: row.providerIntentId,
      status: 'requires_payment_method',
      amount: 2000,
      amountCaptured: 0,
      currency: 'usd',
      lastError,
      updatedAt: Date.now() + 1000,
    });
    await deliver([failed]);
    expect(await getPayment(bank.id)).toMatchObject({ status: 'requires_payment_method', lastError });
  });
});
