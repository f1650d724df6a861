import { describe, expect, it } from 'vitest';
import { cancelSubscription } from '../src/services/subscription-cancel.js';
import { createSubscription } from '../src/services/subscription-create.js';
import { mySubscription, newMember, planInIdentity, waitForNotices } from './billing-helpers.js';
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
});
