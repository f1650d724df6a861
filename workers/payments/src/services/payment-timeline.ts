import type { Principal } from '@onasis/contracts';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { disputes, ledgerEntries, ledgerTransactions, refunds } from '../db/schema.js';
import { findPayment, type PaymentRow } from './payment-rows.js';

/** What happened to a payment, as its timeline shows it, in the order steps stored in one millisecond happen. */
export const TIMELINE_KINDS = [
  'created',
  'captured',
  'refund_requested',
  'refunded',
  'refund_failed',
  'disputed',
  'dispute_reversed',
  'fee',
  'failed',
  'canceled',
] as const;

/** One step of a payment's timeline. */
export interface TimelineEvent {
  at: string;
  kind: (typeof TIMELINE_KINDS)[number];
  /** Minor units of the payment's currency, when money moved or was asked for. */
  amount: number | null;
  /** The object the step is about: the payment, a refund (`re_…`), a dispute (`dp_…`), a ledger transaction. */
  objectId: string;
  detail: string | null;
}

// Steps stored in the same millisecond (a refund asked for and the money it moved) in the order they happen.
const rank = (e: TimelineEvent) => TIMELINE_KINDS.indexOf(e.kind);

const MOVEMENT_KIND = {
  capture: 'captured',
  refund: 'refunded',
  dispute: 'disputed',
  dispute_reversal: 'dispute_reversed',
  fee: 'fee',
} as const;

/**
 * A payment's timeline, oldest first, read from what the platform stored about it: its creation, each ledger
 * movement (money that really moved), each refund asked for, each dispute, and a final failure or cancellation.
 * Nothing is stored for it, so it is always as current as the rows it comes from. Owner or `payments:manage`.
 */
export async function paymentTimeline(db: Db, caller: Principal, paymentId: string): Promise<TimelineEvent[]> {
  const payment = await findPayment(db, paymentId, caller);
  const [movements, refundRows, disputeRows] = await Promise.all([
    db
      .select()
      .from(ledgerTransactions)
      .where(eq(ledgerTransactions.paymentId, payment.id))
      .orderBy(asc(ledgerTransactions.createdAt)),
    db.select().from(refunds).where(eq(refunds.paymentId, payment.id)),
    db.select().from(disputes).where(eq(disputes.paymentId, payment.id)),
  ]);
  const debits =
    movements.length === 0
      ? []
      : await db
          .select({ transactionId: ledgerEntries.transactionId, amount: ledgerEntries.amount })
          .from(ledgerEntries)
          .where(
            inArray(
              ledgerEntries.transactionId,
              movements.map((m) => m.id),
            ),
          );
  // Each movement debits one account by its amount and credits another by as much: its positive side is the amount.
  const amountOf = (id: string) =>
    debits.filter((e) => e.transactionId === id && e.amount > 0).reduce((sum, e) => sum + e.amount, 0);
  const events: TimelineEvent[] = [
    { at: payment.createdAt, kind: 'created', amount: payment.amount, objectId: payment.id, detail: null },
    ...movements.map((m) => ({
      at: m.createdAt,
      kind: MOVEMENT_KIND[m.kind],
      amount: amountOf(m.id),
      objectId: m.refundId ?? m.id,
      detail: null,
    })),
    ...refundRows.flatMap((r): TimelineEvent[] => [
      { at: r.createdAt, kind: 'refund_requested', amount: r.amount, objectId: r.id, detail: r.reason },
      ...(r.status === 'failed' || r.status === 'canceled'
        ? [
            {
              at: r.updatedAt ?? r.createdAt,
              kind: 'refund_failed' as const,
              amount: r.amount,
              objectId: r.id,
              detail: r.failureReason ?? r.status,
            },
          ]
        : []),
    ]),
    ...disputeRows
      .filter((d) => !movements.some((m) => m.kind === 'dispute' && m.sourceKey === `dispute:${d.id}`))
      .map((d) => ({ at: d.createdAt, kind: 'disputed' as const, amount: d.amount, objectId: d.id, detail: d.reason })),
    ...endOf(payment),
  ];
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank(a) - rank(b)));
}

/** The payment's last word when it ended without money: canceled, or a decline still on it. */
function endOf(payment: PaymentRow): TimelineEvent[] {
  const at = payment.updatedAt ?? payment.createdAt;
  if (payment.status === 'canceled')
    return [{ at, kind: 'canceled', amount: null, objectId: payment.id, detail: null }];
  if (payment.lastError)
    return [{ at, kind: 'failed', amount: null, objectId: payment.id, detail: payment.lastError.message }];
  return [];
}
