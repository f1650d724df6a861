import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';

/** A stored payment. */
export type PaymentRow = typeof paymentIntents.$inferSelect;

/** Whether the caller may act on every user's payments. */
export const isManager = (caller: Principal) => caller.permissions.includes('payments:manage');

/** A payment as the API shows it; `clientSecret` only to its owner, who confirms with it. */
export function toPaymentView(row: PaymentRow, callerId?: string) {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    provider: row.provider,
    captureMethod: row.captureMethod,
    ...(row.clientSecret && callerId === row.userId ? { clientSecret: row.clientSecret } : {}),
    ...(row.approvalUrl ? { approvalUrl: row.approvalUrl } : {}),
    amountCaptured: row.amountCaptured,
    amountRefunded: row.amountRefunded,
    description: row.description,
    metadata: row.metadata ?? {},
    lastError: row.lastError ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? row.createdAt,
  };
}

/** A payment the caller may see: their own, or anyone's with `payments:manage` unless `ownerOnly`. Else a 404. */
export async function findPayment(
  db: Db,
  id: string,
  caller: Principal,
  options: { ownerOnly?: boolean } = {},
): Promise<PaymentRow> {
  const anyone = isManager(caller) && !options.ownerOnly;
  const row = await db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.id, id), anyone ? undefined : eq(paymentIntents.userId, caller.userId)))
    .get();
  if (!row) throw new AppError('NOT_FOUND', `No payment ${id}.`);
  return row;
}

/** The payment a provider knows as `providerId`, if the platform recorded it. */
export function paymentByProviderId(db: Db, provider: PaymentRow['provider'], providerId: string) {
  return db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.provider, provider), eq(paymentIntents.providerIntentId, providerId)))
    .get();
}

/**
 * A batch statement that fails the whole batch when the statement before it changed no row: D1 has no interactive
 * transactions, so a guarded UPDATE that lost its race must stop the writes batched after it (a ledger movement, an
 * event's mark). Only when `changes()` is 0 does it set a NOT NULL column to NULL, which fails the batch.
 */
export function abortUnlessChanged(db: Db, paymentId: string) {
  // Raw SQL fragment: drizzle has no expression for SQLite's changes().
  return db
    .update(paymentIntents)
    .set({ status: sql`NULL` })
    .where(and(eq(paymentIntents.id, paymentId), sql`changes() = 0`));
}

/** Whether a batch failed at `abortUnlessChanged`: another writer got there first. */
export function isLostRace(err: unknown): boolean {
  const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /NOT NULL constraint failed: payment_intents\.status/.test(text);
}

/** Whether a batch failed because a refund would pass what was captured (the schema's refund bound). */
export function isRefundBeyondCaptured(err: unknown): boolean {
  const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /CHECK constraint failed: payment_intents_refund_bound/.test(text);
}

/** 409 naming where the payment stands. */
export function conflict(row: PaymentRow, wanted: string): AppError {
  return new AppError('CONFLICT', `Payment ${row.id} is ${row.status}; ${wanted}.`);
}
