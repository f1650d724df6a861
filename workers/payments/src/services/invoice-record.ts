import { newId } from '@onasis/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { invoices, subscriptions } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';
import type { ProviderInvoice } from '../providers/provider-billing.js';
import { recordPaidPayment } from './billing-payments.js';
import { userOfCustomer } from './customers.js';

/** A stored invoice. */
export type InvoiceRow = typeof invoices.$inferSelect;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * Upserts the provider's invoice by its id, and records the payment that paid it (with its ledger capture). Answers
 * the row as it stands, whether it changed, and the invoice's user.
 *
 * Order and retries: the user comes from the subscription's row (or the customer); an invoice of a subscription not
 * recorded yet throws, so the event is retried once the subscription's create or event has landed. The upsert only
 * overwrites an invoice that is neither `paid` nor `void` and whose recorded provider time is not newer, so a late
 * `invoice.payment_failed` never reopens a paid invoice; the same state applied twice changes nothing. The payment is
 * recorded before the invoice (an id derived from the provider's), so a crash between the two is finished by the
 * retry without a second capture.
 */
export async function recordInvoice(
  db: Db,
  provider: ProviderName,
  inv: ProviderInvoice,
): Promise<{ row: InvoiceRow; changed: boolean; userId: string }> {
  let userId: string | undefined;
  let subscriptionId: string | null = null;
  if (inv.subscriptionProviderId !== undefined) {
    const sub = await db
      .select({ id: subscriptions.id, userId: subscriptions.userId })
      .from(subscriptions)
      .where(
        and(eq(subscriptions.provider, provider), eq(subscriptions.providerSubscriptionId, inv.subscriptionProviderId)),
      )
      .get();
    if (!sub) throw new Error(`no subscription recorded for ${provider} ${inv.subscriptionProviderId}`);
    userId = sub.userId;
    subscriptionId = sub.id;
  }
  userId ??= await userOfCustomer(db, inv.customerId);
  if (userId === undefined) throw new Error(`no customer recorded for ${provider} ${inv.customerId}`);
  const paymentId =
    inv.status === 'paid' && inv.paymentProviderId !== undefined && inv.amountPaid > 0
      ? await recordPaidPayment(db, {
          provider,
          providerPaymentId: inv.paymentProviderId,
          userId,
          amount: inv.amountPaid,
          currency: inv.currency,
          description: `Invoice ${inv.providerId}`,
        })
      : null;
  const fields = {
    subscriptionId,
    status: inv.status,
    amountDue: inv.amountDue,
    amountPaid: inv.amountPaid,
    currency: inv.currency,
    attemptCount: inv.attemptCount,
    nextPaymentAttempt: iso(inv.nextPaymentAttempt),
    hostedInvoiceUrl: inv.hostedInvoiceUrl ?? null,
    paymentId,
    periodStart: iso(inv.periodStart),
    periodEnd: iso(inv.periodEnd),
    providerUpdatedAt: inv.updatedAt,
  };
  const [written] = await db
    .insert(invoices)
    .values({ id: newId('inv'), userId, provider, providerInvoiceId: inv.providerId, ...fields })
    .onConflictDoUpdate({
      target: [invoices.provider, invoices.providerInvoiceId],
      set: {
        ...fields,
        paymentId: sql`coalesce(excluded.payment_id, ${invoices.paymentId})`,
        updatedAt: new Date().toISOString(),
      },
      // Raw SQL: drizzle has no expression for the conflicting row (`excluded`) in a conditional upsert.
      setWhere: sql`${invoices.status} NOT IN ('paid', 'void') AND coalesce(${invoices.providerUpdatedAt}, 0) <= excluded.provider_updated_at AND (${invoices.status} != excluded.status OR ${invoices.attemptCount} != excluded.attempt_count OR ${invoices.amountPaid} != excluded.amount_paid)`,
    })
    .returning();
  if (written) return { row: written, changed: true, userId };
  const row = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.provider, provider), eq(invoices.providerInvoiceId, inv.providerId)))
    .get();
  if (!row) throw new Error(`invoice ${provider} ${inv.providerId} vanished`);
  return { row, changed: false, userId };
}

/** An invoice as the API shows it. */
export function toInvoiceView(row: InvoiceRow) {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    status: row.status,
    amountDue: row.amountDue,
    amountPaid: row.amountPaid,
    currency: row.currency,
    attemptCount: row.attemptCount,
    nextPaymentAttempt: row.nextPaymentAttempt,
    hostedInvoiceUrl: row.hostedInvoiceUrl,
    paymentId: row.paymentId,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? row.createdAt,
  };
}
