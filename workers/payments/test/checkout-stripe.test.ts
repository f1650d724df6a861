import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkoutSessions, ledgerTransactions, paymentIntents } from '../src/db/schema.js';
import { applyEvent } from '../src/services/apply-event.js';
import { createCheckout } from '../src/services/checkout-create.js';
import { db, eventStatus, newMember } from './billing-helpers.js';
import { stripeAccount } from './billing-stripe-helpers.js';
import { checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

describe('checkout with Stripe', () => {
  it('completes by a signed checkout.session.completed: a succeeded payment with its capture, applied once', async () => {
    const { stripeEnv, control, sync } = await stripeAccount();
    const member = await newMember();
    const { row } = await createCheckout(stripeEnv, member, {
      mode: 'payment',
      lineItems: [{ name: 'Poster', amount: 2500, currency: 'usd', quantity: 1 }],
      successUrl: 'https://shop.example/done',
      cancelUrl: 'https://shop.example/cart',
    });
    expect(row).toMatchObject({ provider: 'stripe', status: 'open', amountTotal: 2500 });
    expect(row.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    await control(`checkout/sessions/${row.providerSessionId}/complete`);
    const [completed] = await sync();
    expect(completed?.type).toBe('checkout.session.completed');
    const session = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, row.id)).get();
    expect(session).toMatchObject({ status: 'complete' });
    const payment = await db
      .select()
      .from(paymentIntents)
      .where(eq(paymentIntents.id, session?.paymentId ?? ''))
      .get();
    expect(payment).toMatchObject({
      provider: 'stripe',
      userId: member.userId,
      status: 'succeeded',
      amountCaptured: 2500,
    });
    expect(payment?.providerIntentId).toMatch(/^pi_/);
    expect(await applyEvent(stripeEnv, completed?.id ?? '')).toBe('already-settled');
    expect(await eventStatus(completed?.id ?? '')).toBe('applied');
    const captures = await db
      .select()
      .from(ledgerTransactions)
      .where(eq(ledgerTransactions.paymentId, payment?.id ?? ''));
    expect(captures).toHaveLength(1);
  });

  it('makes one Stripe customer per user, however many checkouts', async () => {
    const { ns, stripeEnv } = await stripeAccount();
    const member = await newMember();
    const input = {
      mode: 'payment' as const,
      lineItems: [{ name: 'Poster', amount: 2500, currency: 'usd', quantity: 1 }],
      successUrl: 'https://shop.example/done',
      cancelUrl: 'https://shop.example/cart',
    };
    await Promise.all([createCheckout(stripeEnv, member, input), createCheckout(stripeEnv, member, input)]);
    await createCheckout(stripeEnv, member, input);
    expect(await ns.events('customer.created')).toHaveLength(1);
  });
});
