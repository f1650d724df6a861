import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { checkoutSessions } from '../db/schema.js';
import { isManager } from './payment-rows.js';

/** A stored checkout session. */
export type CheckoutRow = typeof checkoutSessions.$inferSelect;

/** A checkout session as the API shows it. */
export function toCheckoutView(row: CheckoutRow) {
  return {
    id: row.id,
    url: row.url,
    status: row.status,
    mode: row.mode,
    provider: row.provider,
    plan: row.plan,
    lineItems: row.lineItems ?? [],
    amountTotal: row.amountTotal,
    currency: row.currency,
    successUrl: row.successUrl,
    cancelUrl: row.cancelUrl,
    paymentId: row.paymentId,
    subscriptionId: row.subscriptionId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? row.createdAt,
  };
}

/** A checkout session the caller may see: their own, or anyone's with `payments:manage`. Else a 404. */
export async function findCheckout(db: Db, id: string, caller: Principal): Promise<CheckoutRow> {
  const row = await db
    .select()
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.id, id), isManager(caller) ? undefined : eq(checkoutSessions.userId, caller.userId)))
    .get();
  if (!row) throw new AppError('NOT_FOUND', `No checkout session ${id}.`);
  return row;
}
