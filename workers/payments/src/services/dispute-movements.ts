import { and, inArray, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client.js';
import { disputes, ledgerTransactions } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';
import type { ProviderDispute } from '../providers/provider-disputes.js';
import { type Movement, movementStatements } from './ledger.js';
import type { PaymentRow } from './payment-rows.js';

/**
 * The ledger movements a dispute's state implies: once its funds are withdrawn, the disputed amount (`dispute:<id>`)
 * and the provider's fee (`dispute-fee:<id>`) leave the provider balance; once reinstated (a won dispute), the amount
 * comes back (`dispute_reversal:<id>`). The fee stays with the provider.
 */
export function disputeMovements(
  disputeId: string,
  provider: ProviderName,
  payment: PaymentRow,
  dispute: ProviderDispute,
): Movement[] {
  const base = { provider, currency: dispute.currency, paymentId: payment.id };
  const movements: Movement[] = [];
  // Reinstated implies withdrawn, even if an event shows only the later balance transaction.
  if (dispute.fundsWithdrawn || dispute.fundsReinstated) {
    movements.push({ ...base, kind: 'dispute', sourceKey: `dispute:${disputeId}`, amount: dispute.amount });
    if (dispute.fee > 0)
      movements.push({ ...base, kind: 'fee', sourceKey: `dispute-fee:${disputeId}`, amount: dispute.fee });
  }
  if (dispute.fundsReinstated) {
    movements.push({
      ...base,
      kind: 'dispute_reversal',
      sourceKey: `dispute_reversal:${disputeId}`,
      amount: dispute.amount,
    });
  }
  return movements;
}

/** The movements among `movements` not recorded yet (their source keys are not in the ledger). */
export async function unrecorded(db: Db, movements: Movement[]): Promise<Movement[]> {
  if (movements.length === 0) return [];
  const seen = await db
    .select({ sourceKey: ledgerTransactions.sourceKey })
    .from(ledgerTransactions)
    .where(
      inArray(
        ledgerTransactions.sourceKey,
        movements.map((m) => m.sourceKey),
      ),
    );
  const recorded = new Set(seen.map((s) => s.sourceKey));
  return movements.filter((m) => !recorded.has(m.sourceKey));
}

/**
 * Inserts the dispute, or updates it unless the stored state is newer (`provider_updated_at`) or already final: the
 * upsert changes no row then, which the caller's guard turns into a failed batch.
 */
export function upsertDispute(
  db: Db,
  id: string,
  provider: ProviderName,
  payment: PaymentRow,
  dispute: ProviderDispute,
): BatchItem<'sqlite'> {
  const now = new Date().toISOString();
  const state = {
    amount: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    fee: dispute.fee,
    evidenceDueBy: dispute.evidenceDueBy === undefined ? null : new Date(dispute.evidenceDueBy).toISOString(),
    providerUpdatedAt: dispute.updatedAt,
  };
  return db
    .insert(disputes)
    .values({
      id,
      paymentId: payment.id,
      userId: payment.userId,
      provider,
      providerDisputeId: dispute.providerId,
      ...state,
    })
    .onConflictDoUpdate({
      target: [disputes.provider, disputes.providerDisputeId],
      // The fee appears once the funds are withdrawn and never goes away: an earlier event in the same second (which
      // does not show it yet) must not erase it.
      set: { ...state, fee: sql`max(${disputes.fee}, ${dispute.fee})`, updatedAt: now },
      setWhere: and(
        sql`coalesce(${disputes.providerUpdatedAt}, 0) <= ${dispute.updatedAt}`,
        sql`(${disputes.status} NOT IN ('won', 'lost', 'warning_closed') OR ${disputes.status} = ${dispute.status})`,
      ),
    });
}

/** The batch statements of `movements`, flattened. */
export const movementsStatements = (db: Db, movements: Movement[]): BatchItem<'sqlite'>[] =>
  movements.flatMap((m) => movementStatements(db, m));
