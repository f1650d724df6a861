import type { PlatformEvent } from '@onasis/contracts';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { checkoutSessions } from '../db/schema.js';
import { providerFor } from '../providers/index.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { ProviderCheckoutSession, ProviderSubscription } from '../providers/provider-billing.js';
import { recordPaidPayment } from './billing-payments.js';
import type { CheckoutRow } from './checkout-rows.js';
import type { PaymentNotice } from './notify.js';
import { paymentSucceeded } from './platform-events.js';
import { recordSubscription } from './subscription-record.js';

/** What applying a checkout's event did: whose plan to sync, what to tell them, or why nothing changed. */
export interface BillingStep {
  changed: boolean;
  userIds: string[];
  notices: PaymentNotice[];
  /** Business events for analytics, published with the notices (ids derived from the objects: once each). */
  events?: PlatformEvent[];
  note?: string;
}

/** The session an event is about: by our own id (`reference`), else by the provider's. */
async function sessionOf(db: Db, event: ProviderEvent, cs: ProviderCheckoutSession): Promise<CheckoutRow | undefined> {
  const where = cs.reference
    ? and(eq(checkoutSessions.id, cs.reference), eq(checkoutSessions.provider, event.provider))
    : and(eq(checkoutSessions.provider, event.provider), eq(checkoutSessions.providerSessionId, cs.providerId));
  return db.select().from(checkoutSessions).where(where).get();
}

/** The subscription a completed checkout started: carried by the event (the sandbox) or asked of the provider. */
async function subscriptionOf(env: PaymentsEnv, event: ProviderEvent, id: string): Promise<ProviderSubscription> {
  if (event.subscription?.providerId === id) return event.subscription;
  const provider = providerFor(env, event.provider);
  if (!provider?.retrieveSubscription) throw new Error(`cannot read ${event.provider} subscription ${id}`);
  const result = await provider.retrieveSubscription(id);
  if (!result.ok) throw new Error(`${event.provider} subscription ${id}: ${result.kind}`);
  return result.value;
}

/**
 * `checkout.session.completed` / `.expired`: the session completes once (`open` → `complete`, guarded by its status).
 * Mode payment: the payment the checkout took is recorded `succeeded` with its capture, and a receipt goes out. Mode
 * subscription: the subscription it started is recorded for the session's user.
 *
 * Retries: a session not recorded yet (its create still finishing) throws, so the event is retried; the payment and
 * the subscription are recorded idempotently (derived id, provider id) before the session is marked, so a crash
 * between them is finished by the retry; a session no longer `open` changes nothing.
 */
export async function applyCheckoutEvent(
  env: PaymentsEnv,
  db: Db,
  event: ProviderEvent,
  cs: ProviderCheckoutSession,
): Promise<BillingStep> {
  const session = await sessionOf(db, event, cs);
  if (!session && !cs.reference) return { changed: false, userIds: [], notices: [], note: 'a checkout not made here' };
  if (!session) throw new Error(`no checkout session recorded for ${event.provider} ${cs.providerId}`);
  if (session.status !== 'open') return { changed: false, userIds: [], notices: [], note: `session ${session.status}` };
  if (cs.status === 'expired') {
    await db
      .update(checkoutSessions)
      .set({ status: 'expired', updatedAt: new Date().toISOString() })
      .where(and(eq(checkoutSessions.id, session.id), eq(checkoutSessions.status, 'open')));
    return { changed: true, userIds: [], notices: [] };
  }
  if (cs.status !== 'complete') return { changed: false, userIds: [], notices: [], note: `checkout ${cs.status}` };
  // A delayed payment method completes the page unpaid; `checkout.session.async_payment_succeeded` completes it.
  if (session.mode === 'payment' && cs.paymentStatus === 'unpaid') {
    return { changed: false, userIds: [], notices: [], note: 'completed unpaid: waiting for the payment' };
  }
  let paymentId: string | null = null;
  let subscriptionId: string | null = null;
  const notices: PaymentNotice[] = [];
  const events: PlatformEvent[] = [];
  if (session.mode === 'payment' && cs.paymentStatus === 'paid' && cs.paymentProviderId) {
    const paid = {
      provider: event.provider,
      providerPaymentId: cs.paymentProviderId,
      userId: session.userId,
      amount: cs.amountTotal || session.amountTotal,
      currency: cs.currency || session.currency,
      description: `Checkout ${session.id}`,
    };
    paymentId = await recordPaidPayment(db, paid);
    events.push(paymentSucceeded({ ...paid, id: paymentId }));
    notices.push({
      to: session.userId,
      template: 'payments.receipt',
      data: { paymentId, checkoutSessionId: session.id, amount: session.amountTotal, currency: session.currency },
      idempotencyKey: `receipt:${session.id}`,
    });
  }
  if (session.mode === 'subscription' && cs.subscriptionProviderId) {
    const sub = await subscriptionOf(env, event, cs.subscriptionProviderId);
    const recorded = await recordSubscription(env, db, event.provider, sub, {
      userId: session.userId,
      plan: session.plan,
    });
    if ('unknown' in recorded) throw new Error(recorded.unknown);
    subscriptionId = recorded.row.id;
  }
  await db
    .update(checkoutSessions)
    .set({ status: 'complete', paymentId, subscriptionId, updatedAt: new Date().toISOString() })
    .where(and(eq(checkoutSessions.id, session.id), eq(checkoutSessions.status, 'open')));
  return { changed: true, userIds: [session.userId], notices, events };
}
