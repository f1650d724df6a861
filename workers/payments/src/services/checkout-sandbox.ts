import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { checkoutSessions, customers } from '../db/schema.js';
import { sandboxAllowed } from '../providers/index.js';
import type { ProviderEvent } from '../providers/provider.js';
import { SandboxBilling, sandboxDigest } from '../providers/sandbox-billing.js';
import type { CheckoutRow } from './checkout-rows.js';
import { planNamed } from './plans.js';
import { receiveEvent } from './receive-event.js';

type SandboxCheckoutEnv = Pick<PaymentsEnv, 'DB' | 'PAYMENT_EVENTS' | 'ENVIRONMENT' | 'PAYMENT_PLANS'>;

/**
 * A sandbox checkout session by its id, which is the page's only credential (unguessable, as Stripe's checkout URLs
 * are): any other id, a session of another provider, or a deployment where the sandbox takes no payments is a 404.
 */
export async function sandboxCheckout(env: SandboxCheckoutEnv, id: string): Promise<CheckoutRow> {
  const row = await dbOf(env.DB).select().from(checkoutSessions).where(eq(checkoutSessions.id, id)).get();
  if (row?.provider !== 'sandbox' || row.providerSessionId === null || !sandboxAllowed(env)) {
    throw new AppError('NOT_FOUND', `No sandbox checkout session ${id}.`);
  }
  return row;
}

/**
 * The buyer pressed Pay on the sandbox page: the session completes through a `checkout.session.completed` sandbox
 * event, applied by the consumer like Stripe's (mode payment: a paid payment; mode subscription: an active
 * subscription, whose first invoice follows as `invoice.paid`). Answers where to send the buyer: the success URL.
 *
 * Retries: every id is derived from the session, so pressing Pay twice (or a retried POST) sends the same events,
 * which are stored once. A session no longer open sends nothing more.
 */
export async function sandboxPay(env: SandboxCheckoutEnv, id: string): Promise<string> {
  const row = await sandboxCheckout(env, id);
  if (row.status === 'expired') throw new AppError('CONFLICT', `Checkout session ${id} has expired.`);
  if (row.status === 'complete') return row.successUrl;
  const providerId = row.providerSessionId ?? '';
  const customer = await dbOf(env.DB)
    .select({ id: customers.providerCustomerId })
    .from(customers)
    .where(and(eq(customers.userId, row.userId), eq(customers.provider, 'sandbox')))
    .get();
  const customerId = customer?.id ?? '';
  const now = Date.now();
  let subscription: ProviderEvent['subscription'];
  if (row.mode === 'subscription') {
    const price = row.plan === null ? undefined : planNamed(env, row.plan)?.prices.sandbox;
    if (price === undefined) throw new AppError('CONFLICT', `Plan ${row.plan} is no longer sold.`);
    const started = await new SandboxBilling(env).createSubscription(
      { customerId, price, reference: row.id },
      `${row.id}:subscription`,
    );
    if (!started.ok) throw new AppError('CONFLICT', `The sandbox refused the subscription of ${id}.`);
    subscription = started.value;
  }
  await receiveEvent(env, {
    id: `sbx_evt_${await sandboxDigest(`${providerId}:completed`)}`,
    provider: 'sandbox',
    type: 'checkout.session.completed',
    createdAt: now,
    checkoutSession: {
      providerId,
      url: row.url ?? '',
      status: 'complete',
      paymentStatus: 'paid',
      reference: row.id,
      amountTotal: row.amountTotal,
      currency: row.currency,
      customerId,
      ...(row.mode === 'payment'
        ? { paymentProviderId: `sbx_pi_${await sandboxDigest(`${providerId}:payment`)}` }
        : { subscriptionProviderId: subscription?.providerId ?? '' }),
      updatedAt: now,
    },
    ...(subscription && { subscription }),
  });
  return row.successUrl;
}
