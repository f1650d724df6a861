import type { Principal } from '@onasis/contracts';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { refunds } from '../db/schema.js';
import { findPayment } from './payment-rows.js';

/** A stored refund. */
export type RefundRow = typeof refunds.$inferSelect;

/** The refunds of a payment the caller may see, newest first. */
export async function listRefunds(db: Db, caller: Principal, paymentId: string): Promise<RefundRow[]> {
  const payment = await findPayment(db, paymentId, caller);
  return db
    .select()
    .from(refunds)
    .where(eq(refunds.paymentId, payment.id))
    .orderBy(desc(refunds.createdAt), desc(refunds.id));
}

/** A refund as the API shows it. */
export function toRefundView(row: RefundRow) {
  return {
    id: row.id,
    paymentId: row.paymentId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    createdAt: row.createdAt,
  };
}
