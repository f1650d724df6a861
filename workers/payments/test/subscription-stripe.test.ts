import { env } from 'cloudflare:workers';
import { AppError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, subscriptions } from '../src/db/schema.js';
import { SandboxProvider } from '../src/providers/sandbox.js';
import { createStripeProvider } from '../src/providers/stripe.js';
import { customerIdFor } from '../src/services/customers.js';
import { cancelSubscription } from '../src/services/subscription-cancel.js';
import { createSubscription } from '../src/services/subscription-create.js';
import { db, mySubscription, newMember, planInIdentity, waitForNotices } from './billing-helpers.js';
import { stripeAccount } from './billing-stripe-helpers.js';
import { call, checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

describe('subscriptions with Stripe', () => {
  it('goes incomplete → active → past_due → canceled with the plan following, through signed events', async () => {
    const { stripe, stripeEnv, control, sync } = await stripeAccount();
    const member = await newMember();
    const created = await createSubscription(stripeEnv, member, 'pro');
    expect(created.row).toMatchObject({ status: 'incomplete', provider: 'stripe' });
    expect(created.clientSecret).toMatch(/^pi_.*_secret_/);
    expect(await planInIdentity(member.userId)).toBe('free');
    const subId = created.row.providerSubscriptionId ?? '';

    await control(`subscriptions/${subId}/renew`);
    const paidTypes = (await sync()).map((e) => e.type);
    expect(paidTypes).toEqual(expect.arrayContaining(['invoice.paid', 'customer.subscription.updated']));
    expect(await mySubscription(member)).toMatchObject({ status: 'active', plan: 'pro' });
    expect(await planInIdentity(member.userId)).toBe('pro');
    const invoices = await (await call('/api/v1/payments/invoices', {}, member)).json<{ data: { status: string }[] }>();
    expect(invoices.data).toMatchObject([{ status: 'paid' }]);

    await control(`subscriptions/${subId}/renew`, { fail: true });
    await sync();
    expect(await mySubscription(member)).toMatchObject({ status: 'past_due' });
    expect(await planInIdentity(member.userId)).toBe('pro');
    await waitForNotices(member.userId, 'payments.renewal-failed');

    const canceling = await cancelSubscription(stripeEnv, member);
    expect(canceling).toMatchObject({ cancelAtPeriodEnd: true });
    await stripe.subscriptions.cancel(subId);
    await sync();
    expect(await mySubscription(member)).toMatchObject({ status: 'canceled' });
    expect(await planInIdentity(member.userId)).toBe('free');
  });

  it('makes a sandbox customer a new customer at Stripe rather than hand Stripe the sandbox id', async () => {
    const { ns } = await stripeAccount();
    const member = await newMember();
    const sandboxId = await customerIdFor(db, new SandboxProvider(env), member.userId);
    const stripeId = await customerIdFor(db, createStripeProvider(ns), member.userId);
    expect(sandboxId).toMatch(/^sbx_/);
    expect(stripeId).toMatch(/^cus_/);
    expect(await customerIdFor(db, createStripeProvider(ns), member.userId)).toBe(stripeId);
    const rows = await db.select().from(customers).where(eq(customers.userId, member.userId));
    expect(rows.map((r) => [r.provider, r.providerCustomerId]).sort()).toEqual([
      ['sandbox', sandboxId],
      ['stripe', stripeId],
    ]);
  });

  it('deletes its row when Stripe is down, and a retry with the same key makes one subscription', async () => {
    const { ns, stripeEnv } = await stripeAccount();
    const member = await newMember();
    await customerIdFor(db, createStripeProvider(ns), member.userId);
    // The SDK retries a 500 twice with the same idempotency key: three failures make the call fail.
    await ns.script([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const failed = await createSubscription(stripeEnv, member, 'pro', 'key-1').catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as AppError).code).toBe('UPSTREAM_FAILED');
    expect(await db.select().from(subscriptions).where(eq(subscriptions.userId, member.userId))).toEqual([]);
    const first = await createSubscription(stripeEnv, member, 'pro', 'key-1');
    const again = await createSubscription(stripeEnv, member, 'pro', 'key-1');
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, row: { id: first.row.id } });
    expect(await ns.events('customer.subscription.created')).toHaveLength(1);
  });
});
