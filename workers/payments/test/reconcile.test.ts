import { env } from 'cloudflare:workers';
import { STRIPE_TEST_PAYMENT_METHODS as PM, stripeNamespace } from '@onasis/testing/stripe-server/client';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { disputes } from '../src/db/schema.js';
import { createStripeProvider } from '../src/providers/stripe.js';
import { createIntent } from '../src/services/create-intent.js';
import { reconcile } from '../src/services/reconcile.js';
import { movementKinds } from './dispute-helpers.js';
import { ADMIN, ALICE, call, checkLedgerAfterEach, getPayment } from './helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

/**
 * A Stripe payment recorded by the platform, then paid with `method` on the local Stripe server by the real SDK:
 * its events are recorded there but never delivered, as if every webhook had been lost.
 */
async function paidWithoutWebhooks(method: string) {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  const stripe = createStripeProvider({ secretKey, host, port, protocol });
  const { row } = await createIntent(db, stripe, ALICE, { amount: 2000, currency: 'usd', captureMethod: 'automatic' });
  if (!row.providerIntentId) throw new Error('no provider id');
  const confirmed = await stripe.confirmIntent(row.providerIntentId, method, `confirm:${row.id}`);
  expect(confirmed.ok).toBe(true);
  const scoped = { ...env, STRIPE_SECRET_KEY: secretKey, STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL };
  return { payment: row, ns, scoped };
}

const since = () => new Date(Date.now() - 3600_000);

/** The test Worker's environment without PayPal's credentials: a provider not configured here. */
const withoutPayPal = () => ({ ...env, PAYPAL_CLIENT_ID: undefined, PAYPAL_CLIENT_SECRET: undefined });

describe('reconciliation', () => {
  it('repairs a payment whose payment_intent.succeeded never arrived, and a second run finds nothing', async () => {
    const { payment, ns, scoped } = await paidWithoutWebhooks(PM.visa);
    expect((await getPayment(payment.id)).status).toBe('requires_payment_method');
    const succeeded = (await ns.events('payment_intent.succeeded'))[0];

    const run = await reconcile(scoped, { provider: 'stripe', since: since() });
    expect(run).toMatchObject({ provider: 'stripe', status: 'succeeded', eventsChecked: 2, eventsRepaired: 2 });
    expect(run.mismatches).toContainEqual(expect.objectContaining({ kind: 'missed-event', objectId: succeeded?.id }));
    expect(run.mismatches.filter((m) => m.kind !== 'missed-event')).toEqual([]);
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    expect(await movementKinds(payment.id)).toEqual(['capture']);

    const second = await reconcile(scoped, { provider: 'stripe', since: since() });
    expect(second).toMatchObject({ status: 'succeeded', eventsChecked: 2, eventsRepaired: 0, mismatches: [] });
    expect(await movementKinds(payment.id)).toEqual(['capture']);
  });

  it("repairs a Stripe dispute's missed events: the dispute recorded, its amount and fee withdrawn once", async () => {
    const { payment, scoped } = await paidWithoutWebhooks('pm_card_createDispute');
    const run = await reconcile(scoped, { provider: 'stripe', since: since() });
    expect(run).toMatchObject({ status: 'succeeded', eventsRepaired: 4 });
    const [dispute] = await db.select().from(disputes).where(eq(disputes.paymentId, payment.id));
    expect(dispute).toMatchObject({ status: 'needs_response', amount: 2000, fee: 1500, reason: 'fraudulent' });
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'fee']);
    await reconcile(scoped, { provider: 'stripe', since: since() });
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('records a run against a provider that is not configured as failed, with the reason', async () => {
    const run = await reconcile(withoutPayPal(), { provider: 'paypal', since: since() });
    expect(run).toMatchObject({ status: 'failed', eventsRepaired: 0 });
    expect(run.error).toContain('paypal');
  });

  it('lists runs newest first for admins only, and shows one by id', async () => {
    const first = await reconcile(withoutPayPal(), { provider: 'paypal', since: since() });
    const second = await reconcile(withoutPayPal(), { provider: 'paypal', since: since() });
    const res = await call('/api/v1/payments/reconciliation-runs?limit=100', {}, ADMIN);
    expect(res.status).toBe(200);
    const ids = (await res.json<{ data: { id: string }[] }>()).data.map((r) => r.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(ids.indexOf(first.id)).toBeGreaterThanOrEqual(0);
    const one = await call(`/api/v1/payments/reconciliation-runs/${first.id}`, {}, ADMIN);
    expect(await one.json()).toMatchObject({ id: first.id, status: 'failed', provider: 'paypal' });
    expect((await call('/api/v1/payments/reconciliation-runs/rcn_nothing', {}, ADMIN)).status).toBe(404);
    expect((await call('/api/v1/payments/reconciliation-runs', {}, ALICE)).status).toBe(403);
  });
});
