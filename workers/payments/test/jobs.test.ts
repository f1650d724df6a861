import { env, exports } from 'cloudflare:workers';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { createStripeProvider } from '../src/providers/stripe.js';
import { createIntent } from '../src/services/create-intent.js';
import { runPaymentsJob } from '../src/services/run-job.js';
import { ALICE, checkLedgerAfterEach, getPayment } from './helpers.js';
import { jobRun } from './job-helpers.js';

checkLedgerAfterEach();

describe('PaymentsService.runJob', () => {
  it('reconciles nothing and succeeds when no real provider is configured', async () => {
    const bare = { ...env, STRIPE_SECRET_KEY: undefined, PAYPAL_CLIENT_ID: undefined, PAYPAL_CLIENT_SECRET: undefined };
    expect(await runPaymentsJob(bare, jobRun('payments.reconcile', {}))).toEqual({ ok: true, data: { runs: [] } });
  });

  it('refuses a provider that is not configured, a bad payload and a type it does not run, without retrying', async () => {
    for (const [type, payload] of [
      ['payments.reconcile', { provider: 'stripe' }],
      ['payments.reconcile', { sinceHours: 0 }],
      ['payments.reconcile', { extra: true }],
      ['notifications.maintenance', {}],
    ] as const) {
      expect(await exports.PaymentsService.runJob(jobRun(type, payload))).toMatchObject({
        ok: false,
        retryable: false,
      });
    }
    expect(await exports.PaymentsService.runJob({ id: 'job_x' } as never)).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it('runs maintenance', async () => {
    expect(await exports.PaymentsService.runJob(jobRun('payments.maintenance', {}))).toMatchObject({ ok: true });
  });

  it('reconciles every configured real provider: a missed succeeded event is applied', async () => {
    const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
    const { secretKey, host, port, protocol } = ns;
    const stripe = createStripeProvider({ secretKey, host, port, protocol });
    const { row } = await createIntent(dbOf(env.DB), stripe, ALICE, {
      amount: 1200,
      currency: 'usd',
      captureMethod: 'automatic',
    });
    await stripe.confirmIntent(row.providerIntentId ?? '', PM.visa, `confirm:${row.id}`);
    const scoped = { ...env, STRIPE_SECRET_KEY: secretKey, STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL };
    const outcome = await runPaymentsJob(scoped, jobRun('payments.reconcile', { sinceHours: 1 }));
    expect(outcome).toMatchObject({
      ok: true,
      data: { runs: [expect.objectContaining({ provider: 'stripe', status: 'succeeded', repaired: 2 })] },
    });
    expect(await getPayment(row.id)).toMatchObject({ status: 'succeeded', amountCaptured: 1200 });
  });
});
