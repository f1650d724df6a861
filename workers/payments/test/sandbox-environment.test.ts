import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { forwardTo, problemOf } from '@onasis/testing';
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { paymentIntents } from '../src/db/schema.js';
import { PaymentsService } from '../src/rpc.js';
import { ALICE, act, checkLedgerAfterEach, createPayment } from './helpers.js';

// The same Worker as deployed to production: no provider credentials, so no provider at all.
const deployed = forwardTo(
  'payments',
  () => new PaymentsService(createExecutionContext(), { ...env, ENVIRONMENT: 'production' }),
);

const storedPayments = async () => (await dbOf(env.DB).select({ n: count() }).from(paymentIntents))[0]?.n ?? 0;

describe('the sandbox outside the local environment', () => {
  checkLedgerAfterEach();

  it('takes no payment without a configured provider: 503, and nothing is stored', async () => {
    const before = await storedPayments();
    const res = await deployed(
      '/api/v1/payments/intents',
      { json: { amount: 2000, currency: 'usd' } },
      { principal: ALICE },
    );
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    expect(await storedPayments()).toBe(before);
  });

  it('refuses a payment that names the sandbox with 400', async () => {
    const before = await storedPayments();
    const res = await deployed(
      '/api/v1/payments/intents',
      { json: { amount: 2000, currency: 'usd', provider: 'sandbox' } },
      { principal: ALICE },
    );
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    expect(await storedPayments()).toBe(before);
  });

  it("answers 404 for the sandbox's 3-D Secure page, even on a sandbox payment", async () => {
    const payment = await createPayment();
    const confirmed = await act(payment.id, 'confirm', { paymentMethod: 'pm_card_authenticationRequired' });
    expect((await confirmed.json<{ status: string }>()).status).toBe('requires_action');
    const res = await deployed(
      `/api/v1/payments/intents/${payment.id}/sandbox/authenticate`,
      { json: { outcome: 'succeed' } },
      { principal: ALICE },
    );
    expect(res.status).toBe(404);
  });
});
