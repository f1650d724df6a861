import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { customers, subscriptions } from '../db/schema.js';
import { type Plan, planOfPrice, plansOf } from '../services/plans.js';
import { receiveEvent } from '../services/receive-event.js';
import type { ProviderEvent, ProviderResult } from './provider.js';
import type { CheckoutInput, ProviderCheckoutSession, ProviderSubscription } from './provider-billing.js';

/**
 * THE SANDBOX's billing side (see sandbox.ts): customers, checkout sessions and subscriptions, offline, no money
 * moving. As for payments it keeps no state of its own: ids are derived from idempotency keys, a subscription's state
 * from the platform's row, and what happens later (the first invoice paid, the end of a canceled subscription at its
 * period end) reaches the platform as sandbox events through `receiveEvent`, in the shapes Stripe's events map to.
 */
export type SandboxBillingEnv = Pick<PaymentsEnv, 'DB' | 'PAYMENT_EVENTS'> &
  Partial<Pick<PaymentsEnv, 'PAYMENT_PLANS'>>;

/** A short hex digest: sandbox ids derived from idempotency keys, so a retried call answers the same object. */
export async function sandboxDigest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const ok = <T>(value: T): ProviderResult<T> => ({ ok: true, value });
const invalid = (message: string): ProviderResult<never> => ({ ok: false, kind: 'invalid', message });

/** The end of the period of `interval` that starts at `from`. */
export function periodEnd(from: number, interval: Plan['interval']): number {
  const d = new Date(from);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
  if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.getTime();
}

/** Where the sandbox's checkout page of a session is, through the gateway. */
export const sandboxCheckoutUrl = (reference: string) => `/api/v1/payments/checkout-sessions/${reference}/sandbox`;

export class SandboxBilling {
  constructor(private readonly env: SandboxBillingEnv) {}

  private planOf(price: string | undefined): Plan | undefined {
    if (price === undefined || this.env.PAYMENT_PLANS === undefined) return undefined;
    return planOfPrice({ PAYMENT_PLANS: this.env.PAYMENT_PLANS }, 'sandbox', price);
  }

  async createCustomer(_input: { userId: string }, idempotencyKey: string) {
    return ok({ customerId: `sbx_cus_${await sandboxDigest(idempotencyKey)}` });
  }

  async deleteCustomer(_customerId: string) {
    return ok({ deleted: true as const });
  }

  async createCheckoutSession(input: CheckoutInput): Promise<ProviderResult<ProviderCheckoutSession>> {
    const plan = this.planOf(input.price);
    if (input.mode === 'subscription' && !plan) return invalid(`Unknown sandbox price ${input.price}.`);
    const items = input.lineItems ?? [];
    return ok({
      providerId: `sbx_cs_${await sandboxDigest(input.idempotencyKey)}`,
      url: sandboxCheckoutUrl(input.reference),
      status: 'open',
      paymentStatus: 'unpaid',
      reference: input.reference,
      amountTotal: plan ? plan.amount : items.reduce((sum, i) => sum + i.amount * i.quantity, 0),
      currency: plan ? plan.currency : (items[0]?.currency ?? 'usd'),
      ...(input.customerId !== undefined && { customerId: input.customerId }),
      updatedAt: Date.now(),
    });
  }

  /**
   * Active at once: the sandbox "charges" the plan's amount as a paid first invoice, sent as an `invoice.paid` event a
   * second later (after the create has recorded the subscription it belongs to).
   */
  async createSubscription(
    input: { customerId: string; price: string; reference: string },
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderSubscription>> {
    const plan = this.planOf(input.price);
    if (!plan) return invalid(`Unknown sandbox price ${input.price}.`);
    const now = Date.now();
    const sub: ProviderSubscription = {
      providerId: `sbx_sub_${await sandboxDigest(idempotencyKey)}`,
      customerId: input.customerId,
      price: input.price,
      status: 'active',
      currentPeriodEnd: periodEnd(now, plan.interval),
      cancelAtPeriodEnd: false,
      updatedAt: now,
    };
    const invoiceId = `sbx_in_${await sandboxDigest(`${sub.providerId}:1`)}`;
    await this.emit(
      {
        id: `sbx_evt_${await sandboxDigest(`${invoiceId}:paid`)}`,
        provider: 'sandbox',
        type: 'invoice.paid',
        createdAt: now,
        invoice: {
          providerId: invoiceId,
          subscriptionProviderId: sub.providerId,
          customerId: input.customerId,
          status: 'paid',
          amountDue: plan.amount,
          amountPaid: plan.amount,
          currency: plan.currency,
          attemptCount: 1,
          paymentProviderId: `sbx_pi_${await sandboxDigest(`${invoiceId}:payment`)}`,
          periodStart: now,
          periodEnd: sub.currentPeriodEnd,
          updatedAt: now,
        },
      },
      1,
    );
    return ok(sub);
  }

  /** The sandbox's view of a subscription: the platform's record of it. */
  async retrieveSubscription(providerId: string): Promise<ProviderResult<ProviderSubscription>> {
    const row = await dbOf(this.env.DB)
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.provider, 'sandbox'), eq(subscriptions.providerSubscriptionId, providerId)))
      .get();
    if (!row) return invalid(`No sandbox subscription ${providerId}.`);
    const customer = await dbOf(this.env.DB)
      .select({ id: customers.providerCustomerId })
      .from(customers)
      .where(and(eq(customers.userId, row.userId), eq(customers.provider, 'sandbox')))
      .get();
    const plans = this.env.PAYMENT_PLANS === undefined ? undefined : plansOf({ PAYMENT_PLANS: this.env.PAYMENT_PLANS });
    return ok({
      providerId,
      customerId: customer?.id ?? '',
      price: plans?.get(row.plan)?.prices.sandbox ?? row.plan,
      status: row.status,
      currentPeriodEnd: Date.parse(row.currentPeriodEnd ?? new Date().toISOString()),
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      updatedAt: Date.now(),
    });
  }

  /**
   * Renewal stops at the period end: the answer says `cancelAtPeriodEnd`, and a `customer.subscription.deleted` event
   * dated at the period end ends it then (its id derived from the subscription, so canceling twice sends one).
   */
  async cancelSubscription(providerId: string): Promise<ProviderResult<ProviderSubscription>> {
    const current = await this.retrieveSubscription(providerId);
    if (!current.ok) return current;
    const now = Date.now();
    const sub = { ...current.value, cancelAtPeriodEnd: true, updatedAt: now };
    const end = Math.max(sub.currentPeriodEnd, now);
    await this.emit(
      {
        id: `sbx_evt_${await sandboxDigest(`${providerId}:deleted`)}`,
        provider: 'sandbox',
        type: 'customer.subscription.deleted',
        createdAt: end,
        subscription: { ...sub, status: 'canceled', updatedAt: end },
      },
      Math.min(43_200, Math.max(1, Math.ceil((end - now) / 1000))),
    );
    return ok(sub);
  }

  private async emit(event: ProviderEvent, delaySeconds?: number): Promise<void> {
    await receiveEvent(this.env, event, delaySeconds);
  }
}
