import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { looksLikeCardNumber } from '../src/services/card-numbers.js';
import { BOB, call, checkLedgerAfterEach, createPayment } from './helpers.js';

checkLedgerAfterEach();

async function refused(json: unknown, path: string) {
  const res = await call('/api/v1/payments/intents', { json });
  expect(res.status).toBe(400);
  const problem = await problemOf(res);
  expect(problem.code).toBe('VALIDATION_FAILED');
  expect(problem.errors?.map((e) => e.path)).toContain(path);
}

describe('payment intent validation', () => {
  it('refuses non-integer, non-positive and out-of-limit amounts', async () => {
    await refused({ amount: 10.5, currency: 'usd' }, 'amount');
    await refused({ amount: 0, currency: 'usd' }, 'amount');
    await refused({ amount: -100, currency: 'usd' }, 'amount');
    await refused({ amount: '2000', currency: 'usd' }, 'amount');
    await refused({ amount: 49, currency: 'usd' }, 'amount');
    await refused({ amount: 100_000_000, currency: 'usd' }, 'amount');
  });

  it('refuses unknown currencies and takes known ones in any case, answered lower-case', async () => {
    await refused({ amount: 2000, currency: 'xyz' }, 'currency');
    await refused({ amount: 2000, currency: 'dollars' }, 'currency');
    const yen = await createPayment({ amount: 500, currency: 'JPY' });
    expect(yen).toMatchObject({ currency: 'jpy', amount: 500 });
  });

  it('refuses metadata beyond 50 keys, 40-character keys or 500-character values', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await refused({ amount: 2000, currency: 'usd', metadata: many }, 'metadata');
    await refused({ amount: 2000, currency: 'usd', metadata: { ['k'.repeat(41)]: 'v' } }, `metadata.${'k'.repeat(41)}`);
    await refused({ amount: 2000, currency: 'usd', metadata: { note: 'v'.repeat(501) } }, 'metadata.note');
    await refused({ amount: 2000, currency: 'usd', metadata: { n: 3 } }, 'metadata.n');
  });

  it('refuses any field that looks like a card number, and stores nothing', async () => {
    await refused({ amount: 2000, currency: 'usd', description: 'card 4242 4242 4242 4242' }, 'description');
    await refused({ amount: 2000, currency: 'usd', metadata: { pan: '4000-0566-5566-5556' } }, 'metadata.pan');
    await refused(
      { amount: 2000, currency: 'usd', metadata: { '4242424242424242': 'x' } },
      'metadata.4242424242424242',
    );
    const list = await (await call('/api/v1/payments/intents', {}, BOB)).json<{ data: unknown[] }>();
    expect(list.data).toEqual([]);
  });

  it('tells card numbers from other digit runs by the Luhn check', () => {
    expect(looksLikeCardNumber('order 4242424242424242 done')).toBe(true);
    expect(looksLikeCardNumber('378282246310005')).toBe(true);
    expect(looksLikeCardNumber('order 1234567890123')).toBe(false);
    expect(looksLikeCardNumber('phone 555-0100')).toBe(false);
  });

  it('refuses a malformed body and an unknown payment method with 400 problems', async () => {
    const res = await call('/api/v1/payments/intents', {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    const payment = await createPayment();
    const unknown = await call(`/api/v1/payments/intents/${payment.id}/confirm`, {
      json: { paymentMethod: 'pm_nope' },
    });
    expect(unknown.status).toBe(400);
    expect((await problemOf(unknown)).code).toBe('VALIDATION_FAILED');
  });

  it('refuses a caller without payments:write with 403', async () => {
    const reader = { ...BOB, permissions: ['payments:read'] };
    expect((await call('/api/v1/payments/intents', { json: { amount: 2000, currency: 'usd' } }, reader)).status).toBe(
      403,
    );
  });
});
