import { and, eq, isNotNull, ne, or } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { dbOf } from '../db/client.js';
import { checkoutSessions, customers, invoices, paymentIntents, refunds } from '../db/schema.js';
import { type ProvidersEnv, providerFor } from '../providers/index.js';

/** What one erasure changed; a second run of the same erasure answers zeros. */
export interface Erasure {
  payments: number;
  refunds: number;
  checkoutSessions: number;
  invoices: number;
  /** Whether a provider's customer was deleted (and its link removed) by this run. */
  customerDeleted: boolean;
}

/**
 * Deletes the user's customer at each provider, then the platform's link to it. The link stays until the provider
 * confirms (a customer already gone counts as deleted), so a retry after a failure deletes it then. A provider that
 * is down throws (the job retries); one not configured here cannot be asked, which is an error the job reports.
 */
async function deleteCustomer(env: ProvidersEnv, userId: string): Promise<boolean> {
  const db = dbOf(env.DB);
  const rows = await db.select().from(customers).where(eq(customers.userId, userId));
  let deleted = false;
  for (const row of rows) {
    if (!row.providerCustomerId) continue;
    const name = row.provider;
    const adapter = providerFor(env, name);
    if (!adapter) throw new Error(`${name} is not configured: customer ${row.providerCustomerId} cannot be deleted`);
    if (adapter.deleteCustomer) {
      const result = await adapter.deleteCustomer(row.providerCustomerId);
      if (!result.ok && result.kind === 'unavailable') throw new Error(`${name} is unavailable: ${result.message}`);
      if (!result.ok && result.kind !== 'invalid') throw new Error(`${name} refused to delete the customer`);
    }
    await db.update(customers).set({ providerCustomerId: null }).where(eq(customers.id, row.id));
    deleted = true;
  }
  return deleted;
}

/**
 * The `payments.erase-user` job: removes what a deleted user told the platform (payment descriptions and metadata,
 * refund reasons, checkout return URLs and line item names, hosted invoice links, the client secrets) and deletes
 * their customer at the provider. Financial records stay as the law asks: ids, amounts, currencies, statuses, dates,
 * the user id on each row, disputes and every ledger entry. Each update matches only rows still holding personal data,
 * so a retry (or a second job) changes nothing and an interrupted run is finished by the next.
 */
export async function eraseUser(env: ProvidersEnv, userId: string): Promise<Erasure> {
  const db = dbOf(env.DB);
  const now = new Date().toISOString();
  const sessions = await db
    .select()
    .from(checkoutSessions)
    .where(eq(checkoutSessions.userId, userId))
    .then((rows) =>
      rows.filter(
        (s) =>
          s.successUrl !== '' || s.cancelUrl !== '' || s.url !== null || (s.lineItems ?? []).some((i) => i.name !== ''),
      ),
    );
  const sessionUpdates: BatchItem<'sqlite'>[] = sessions.map((s) =>
    db
      .update(checkoutSessions)
      .set({
        // NOT NULL columns: emptied rather than nulled.
        successUrl: '',
        cancelUrl: '',
        url: null,
        lineItems: s.lineItems?.map((item) => ({ ...item, name: '' })) ?? null,
        updatedAt: now,
      })
      .where(eq(checkoutSessions.id, s.id)),
  );
  const [payments, refundRows, invoiceRows] = await db.batch([
    db
      .update(paymentIntents)
      .set({ description: null, metadata: null, clientSecret: null, updatedAt: now })
      .where(
        and(
          eq(paymentIntents.userId, userId),
          or(
            isNotNull(paymentIntents.description),
            isNotNull(paymentIntents.metadata),
            isNotNull(paymentIntents.clientSecret),
          ),
        ),
      )
      .returning({ id: paymentIntents.id }),
    db
      .update(refunds)
      .set({ reason: null, updatedAt: now })
      .where(and(eq(refunds.userId, userId), isNotNull(refunds.reason)))
      .returning({ id: refunds.id }),
    db
      .update(invoices)
      .set({ hostedInvoiceUrl: null, updatedAt: now })
      .where(and(eq(invoices.userId, userId), isNotNull(invoices.hostedInvoiceUrl), ne(invoices.hostedInvoiceUrl, '')))
      .returning({ id: invoices.id }),
    ...sessionUpdates,
  ]);
  return {
    payments: payments.length,
    refunds: refundRows.length,
    checkoutSessions: sessions.length,
    invoices: invoiceRows.length,
    customerDeleted: await deleteCustomer(env, userId),
  };
}
