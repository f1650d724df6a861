import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client.js';
import { paymentIntents, refunds } from '../db/schema.js';
import type { ProviderName, ProviderRefund } from '../providers/provider.js';
import { movementStatements } from './ledger.js';
import { abortUnlessChanged, isLostRace } from './payment-rows.js';
import type { RefundRow } from './refund-rows.js';

/** Where the provider says a refund stands, from its answer or from an event. */
export interface RefundOutcome {
  status: ProviderRefund['status'];
  providerRefundId?: string;
  failureReason?: string;
}

/**
 * Settles a `pending` refund once: `succeeded` with its `refund` ledger movement, or `failed`/`canceled` with its
 * reservation on the payment released, each in one batch guarded on the refund still being `pending` (a second
 * settlement, from a retry or a duplicate event, fails the batch and changes nothing). A provider's `pending` only
 * records the provider's id: its refund event settles it later. `before` (an event's claim) joins the batch, so an
 * event is marked applied exactly when its refund moved. Answers the refund as it then stands.
 */
export async function settleRefund(
  db: Db,
  provider: ProviderName,
  refund: RefundRow,
  outcome: RefundOutcome,
  before: BatchItem<'sqlite'>[] = [],
): Promise<{ row: RefundRow; moved: boolean }> {
  const now = new Date().toISOString();
  const pending = and(eq(refunds.id, refund.id), eq(refunds.status, 'pending'));
  const providerRefundId = outcome.providerRefundId ?? refund.providerRefundId;
  const mark = (status: RefundRow['status']) =>
    db
      .update(refunds)
      .set({ status, providerRefundId, failureReason: outcome.failureReason ?? null, updatedAt: now })
      .where(pending);
  const effects: BatchItem<'sqlite'>[] =
    outcome.status === 'succeeded'
      ? [
          mark('succeeded'),
          abortUnlessChanged(db, refund.paymentId),
          ...movementStatements(db, {
            kind: 'refund',
            sourceKey: `refund:${refund.id}`,
            provider,
            currency: refund.currency,
            amount: refund.amount,
            paymentId: refund.paymentId,
            refundId: refund.id,
          }),
        ]
      : outcome.status === 'pending'
        ? [mark('pending'), abortUnlessChanged(db, refund.paymentId)]
        : [
            mark(outcome.status),
            abortUnlessChanged(db, refund.paymentId),
            db
              .update(paymentIntents)
              .set({
                amountRefunded: sql`${paymentIntents.amountRefunded} - ${refund.amount}`,
                version: sql`${paymentIntents.version} + 1`,
              })
              .where(eq(paymentIntents.id, refund.paymentId)),
          ];
  let moved = true;
  try {
    const [first, ...rest] = [...before, ...effects];
    if (first) await db.batch([first, ...rest]);
  } catch (err) {
    if (!isLostRace(err)) throw err;
    moved = false;
  }
  const row = await db.select().from(refunds).where(eq(refunds.id, refund.id)).get();
  if (!row) throw new Error(`refund ${refund.id} vanished`);
  return { row, moved };
}
