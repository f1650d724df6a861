import { env } from 'cloudflare:workers';
import { eventually } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invoices, paymentIntents, providerEvents, subscriptions } from '../src/db/schema.js';
import { endGracePeriods } from '../src/services/end-grace-periods.js';
import {
  apply,
  db,
  eventStatus,
  mySubscription,
  newMember,
  noticesTo,
  planInIdentity,
  providerViewOf,
  publicCall,
  storeBillingEvent,
  subscribe,
  waitForNotices,
  waitForPlan,
} from './billing-helpers.js';
import { ADMIN, call, checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

/** A member subscribed to `pro` with the sandbox, whose first invoice has been applied. */
async function subscribedMember() {
  const member = await newMember();
  const subscription = await subscribe(member);
  await eventually(async () => (await db.select().from(invoices).where(eq(invoices.userId, member.userId))).length > 0);
  return { member, subscription };
}

describe('subscriptions with the sandbox', () => {
  it("is active at once, raises the user's plan in identity to pro, and pays its first invoice", async () => {
    const member = await newMember();
    expect(await planInIdentity(member.userId)).toBe('free');
    const subscription = await subscribe(member);
    expect(subscription).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: false });
    expect(subscription.id).toMatch(/^sub_/);
    expect(Date.parse(subscription.currentPeriodEnd ?? '')).toBeGreaterThan(Date.now() + 27 * 86_400_000);
    expect(await planInIdentity(member.userId)).toBe('pro');
    const page = await eventually(async () => {
      const res = await call('/api/v1/payments/invoices', {}, member);
      const body = await res.json<{ data: { status: string; amountPaid: number; paymentId: string | null }[] }>();
      return body.data.length > 0 ? body : null;
    });
    expect(page.data).toMatchObject([{ status: 'paid', amountPaid: 2000 }]);
    const payment = await db
      .select()
      .from(paymentIntents)
      .where(eq(paymentIntents.id, page.data[0]?.paymentId ?? ''))
      .get();
    expect(payment).toMatchObject({ userId: member.userId, status: 'succeeded', amountCaptured: 2000 });
    await waitForNotices(member.userId, 'payments.receipt');
  });

  it('refuses a second live subscription with 409', async () => {
    const { member } = await subscribedMember();
    const res = await call('/api/v1/payments/subscriptions', { json: { plan: 'pro' } }, member);
    expect(res.status).toBe(409);
  });

  it('starts from a sandbox checkout in mode subscription, and the plan follows', async () => {
    const member = await newMember();
    const res = await call(
      '/api/v1/payments/checkout-sessions',
      {
        json: {
          mode: 'subscription',
          plan: 'pro',
          successUrl: 'https://a.example/ok',
          cancelUrl: 'https://a.example/no',
        },
      },
      member,
    );
    expect(res.status).toBe(201);
    const session = await res.json<{ url: string; amountTotal: number }>();
    expect(session.amountTotal).toBe(2000);
    expect((await publicCall(`${session.url}/pay`, { method: 'POST' })).status).toBe(303);
    await waitForPlan(member.userId, 'pro');
    expect(await mySubscription(member)).toMatchObject({ plan: 'pro', status: 'active' });
  });

  it('keeps the plan while past due, with a renewal-failed notice per failed attempt', async () => {
    const { member, subscription } = await subscribedMember();
    const view = await providerViewOf(subscription.id);
    const invoice = {
      providerId: `sbx_in_${crypto.randomUUID()}`,
      subscriptionProviderId: view.providerId,
      customerId: view.customerId,
      status: 'open' as const,
      amountDue: 2000,
      amountPaid: 0,
      currency: 'usd',
      periodStart: Date.now(),
      periodEnd: Date.now() + 30 * 86_400_000,
      updatedAt: Date.now(),
    };
    const failed1 = await storeBillingEvent('invoice.payment_failed', { invoice: { ...invoice, attemptCount: 1 } });
    const pastDue = await storeBillingEvent('customer.subscription.updated', {
      subscription: { ...view, status: 'past_due', updatedAt: Date.now() + 1 },
    });
    await apply(failed1, pastDue);
    const after = await mySubscription(member);
    expect(after.status).toBe('past_due');
    expect(Date.parse(after.graceUntil ?? '')).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(await planInIdentity(member.userId)).toBe('pro');
    const failed2 = await storeBillingEvent('invoice.payment_failed', {
      invoice: { ...invoice, attemptCount: 2, updatedAt: Date.now() + 2 },
    });
    await apply(failed2, failed2);
    const notices = await waitForNotices(member.userId, 'payments.renewal-failed', 2);
    expect(notices.map((n) => n.idempotencyKey).sort()).toEqual(
      [`renewal-failed:${failed1}`, `renewal-failed:${failed2}`].sort(),
    );
  });

  it('falls back to free once the grace period has ended', async () => {
    const { member, subscription } = await subscribedMember();
    const view = await providerViewOf(subscription.id);
    await apply(
      await storeBillingEvent('customer.subscription.updated', {
        subscription: { ...view, status: 'past_due', updatedAt: Date.now() + 1 },
      }),
    );
    expect(await planInIdentity(member.userId)).toBe('pro');
    const past = new Date(Date.now() - 1000).toISOString();
    await db.update(subscriptions).set({ graceUntil: past }).where(eq(subscriptions.id, subscription.id));
    const { downgraded } = await endGracePeriods(env, new Date());
    expect(downgraded).toBeGreaterThanOrEqual(1);
    expect(await planInIdentity(member.userId)).toBe('free');
  });

  it('cancels at period end: still active with its plan, and a deletion event dated at the period end', async () => {
    const { member, subscription } = await subscribedMember();
    const res = await call('/api/v1/payments/subscriptions/me/cancel', { method: 'POST' }, member);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'active', cancelAtPeriodEnd: true, plan: 'pro' });
    expect(await planInIdentity(member.userId)).toBe('pro');
    const again = await call('/api/v1/payments/subscriptions/me/cancel', { method: 'POST' }, member);
    expect(await again.json()).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    const view = await providerViewOf(subscription.id);
    const pending = await db
      .select()
      .from(providerEvents)
      .where(eq(providerEvents.type, 'customer.subscription.deleted'))
      .all();
    const mine = pending.filter(
      (e) => (e.payload as { subscription?: { providerId: string } }).subscription?.providerId === view.providerId,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]?.status).toBe('pending');
    expect((mine[0]?.payload as { createdAt?: number } | undefined)?.createdAt).toBe(view.currentPeriodEnd);
  });

  it('ends on customer.subscription.deleted: canceled, plan free, one canceled notice', async () => {
    const { member, subscription } = await subscribedMember();
    const view = await providerViewOf(subscription.id);
    const deleted = await storeBillingEvent('customer.subscription.deleted', {
      subscription: { ...view, status: 'canceled', updatedAt: Date.now() + 1 },
    });
    await apply(deleted);
    expect(await mySubscription(member)).toMatchObject({ status: 'canceled' });
    expect(await planInIdentity(member.userId)).toBe('free');
    await waitForNotices(member.userId, 'payments.subscription-canceled');
    await apply(deleted);
    expect(await noticesTo(member.userId, 'payments.subscription-canceled')).toHaveLength(1);
    // Free to subscribe again.
    expect((await subscribe(member)).status).toBe('active');
  });

  it('applies the same event twice once', async () => {
    const { member, subscription } = await subscribedMember();
    const view = await providerViewOf(subscription.id);
    const updated = await storeBillingEvent('customer.subscription.updated', {
      subscription: { ...view, status: 'past_due', updatedAt: Date.now() + 1 },
    });
    await apply(updated);
    const once = await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)).get();
    await apply(updated);
    const twice = await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)).get();
    expect(twice?.version).toBe(once?.version);
    expect(await eventStatus(updated)).toBe('applied');
    expect((await mySubscription(member)).status).toBe('past_due');
  });

  it('changes nothing with an older customer.subscription.updated after a newer one', async () => {
    const { member, subscription } = await subscribedMember();
    const view = await providerViewOf(subscription.id);
    const t = Date.now();
    const newer = await storeBillingEvent('customer.subscription.updated', {
      subscription: { ...view, status: 'past_due', updatedAt: t + 2000 },
    });
    const older = await storeBillingEvent('customer.subscription.updated', {
      subscription: { ...view, status: 'active', cancelAtPeriodEnd: true, updatedAt: t + 1000 },
    });
    await apply(newer, older);
    expect(await eventStatus(older)).toBe('ignored');
    expect(await mySubscription(member)).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: false });
  });
});

describe('subscription access and input', () => {
  it("answers 404 for a user without one, and another user's to payments:manage only", async () => {
    const { member } = await subscribedMember();
    const other = await newMember();
    expect((await call('/api/v1/payments/subscriptions/me', {}, other)).status).toBe(404);
    const asOther = await call(`/api/v1/payments/subscriptions/me?userId=${member.userId}`, {}, other);
    expect(asOther.status).toBe(404);
    expect((await call('/api/v1/payments/subscriptions/me/cancel', { method: 'POST' }, other)).status).toBe(404);
    const asAdmin = await call(`/api/v1/payments/subscriptions/me?userId=${member.userId}`, {}, ADMIN);
    expect(asAdmin.status).toBe(200);
    const invoicesOfOther = await call(`/api/v1/payments/invoices?userId=${member.userId}`, {}, other);
    expect((await invoicesOfOther.json<{ data: unknown[] }>()).data).toEqual([]);
    const invoicesAsAdmin = await call(`/api/v1/payments/invoices?userId=${member.userId}`, {}, ADMIN);
    expect((await invoicesAsAdmin.json<{ data: unknown[] }>()).data).toHaveLength(1);
  });

  it.each([
    ['an unknown plan', { plan: 'platinum' }],
    ['no plan', {}],
    ['free, which is not for sale', { plan: 'free' }],
    ['a plan that is not a string', { plan: 42 }],
  ])('refuses %s with 400 and records nothing', async (_name, body) => {
    const member = await newMember();
    const res = await call('/api/v1/payments/subscriptions', { json: body }, member);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await db.select().from(subscriptions).where(eq(subscriptions.userId, member.userId))).toEqual([]);
  });
});
