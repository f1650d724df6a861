import type { Principal } from '@onasis/contracts';
import { afterCreatedAt } from '@onasis/http';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { invoices } from '../db/schema.js';
import type { InvoiceRow } from './invoice-record.js';
import { isManager } from './payment-rows.js';

/**
 * One page (plus one row, to tell whether another exists) of invoices, newest first: the caller's own, or with
 * `payments:manage` anyone's (`userId` filters).
 */
export function listInvoices(
  db: Db,
  caller: Principal,
  filter: { userId?: string; after?: { createdAt: string; id: string }; limit: number },
): Promise<InvoiceRow[]> {
  const owner = isManager(caller) ? filter.userId : caller.userId;
  return db
    .select()
    .from(invoices)
    .where(
      and(owner === undefined ? undefined : eq(invoices.userId, owner), afterCreatedAt(invoices, filter.after, 'desc')),
    )
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(filter.limit + 1);
}
