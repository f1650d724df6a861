import { env } from 'cloudflare:workers';
import { stripeNamespace } from '@onasis/testing/stripe-server/client';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { customers } from '../src/db/schema.js';
import { createStripeProvider, stripeClient } from '../src/providers/stripe.js';
import { eraseUser } from '../src/services/erase-user.js';
import { checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

/** A user whose customer exists on the local Stripe server (made by the real SDK) and is linked in `customers`. */
async function stripeCustomer() {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  const provider = createStripeProvider({ secretKey, host, port, protocol });
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  const created = await provider.createCustomer?.({ userId, email: 'ada@example.com' }, `cus:${userId}`);
  if (!created?.ok) throw new Error(`no customer: ${JSON.stringify(created)}`);
  const customerId = created.value.customerId;
  await db
    .insert(customers)
    .values({ id: `cus_${userId}`, userId, provider: 'stripe', providerCustomerId: customerId });
  const scoped = { ...env, STRIPE_SECRET_KEY: secretKey, STRIPE_API_BASE: env.TEST_STRIPE_SERVER_URL };
  return { ns, userId, customerId, scoped, stripe: stripeClient({ secretKey, host, port, protocol }) };
}

const linkOf = async (userId: string) =>
  (await db.select().from(customers).where(eq(customers.userId, userId)).get())?.providerCustomerId;

describe('payments.erase-user with Stripe', () => {
  it("deletes the user's Stripe customer, then the link to it", async () => {
    const { userId, customerId, scoped, stripe } = await stripeCustomer();
    expect((await eraseUser(scoped, userId)).customerDeleted).toBe(true);
    expect(await stripe.customers.retrieve(customerId)).toMatchObject({ id: customerId, deleted: true });
    expect(await linkOf(userId)).toBeNull();
  });

  it('counts a customer already deleted at Stripe as deleted', async () => {
    const { userId, customerId, scoped, stripe } = await stripeCustomer();
    await stripe.customers.del(customerId);
    expect((await eraseUser(scoped, userId)).customerDeleted).toBe(true);
    expect(await linkOf(userId)).toBeNull();
  });

  it('keeps the link when Stripe is down, so that the retried job deletes the customer then', async () => {
    const { ns, userId, customerId, scoped, stripe } = await stripeCustomer();
    await ns.script([{ status: 500 }, { status: 500 }, { status: 500 }]);
    await expect(eraseUser(scoped, userId)).rejects.toThrow(/stripe/);
    expect(await linkOf(userId)).toBe(customerId);
    expect((await eraseUser(scoped, userId)).customerDeleted).toBe(true);
    expect(await stripe.customers.retrieve(customerId)).toMatchObject({ deleted: true });
  });
});
