import { AppError, afterCreatedAt } from '@onasis/http';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { disputes } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';
import type { DisputeStatus } from '../providers/provider-disputes.js';

/** A stored dispute. */
export type DisputeRow = typeof disputes.$inferSelect;

/** Statuses a dispute never leaves: the provider has decided. */
export const FINAL_DISPUTE_STATUSES: readonly DisputeStatus[] = ['won', 'lost', 'warning_closed'];

/**
 * The platform's id of a provider's dispute, derived from the provider's id rather than drawn at random: two events
 * about a dispute not recorded yet, applied at once, name the same row and the same ledger source keys, so the
 * unique indexes (not luck) keep its withdrawal from being recorded twice.
 */
export async function disputeIdOf(provider: ProviderName, providerDisputeId: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${provider}:${providerDisputeId}`)),
  );
  return `dp_${[...bytes.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A dispute as the API shows it. */
export function toDisputeView(row: DisputeRow) {
  return {
    id: row.id,
    paymentId: row.paymentId,
    userId: row.userId,
    provider: row.provider,
    providerDisputeId: row.providerDisputeId,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    status: row.status,
    fee: row.fee,
    evidenceDueBy: row.evidenceDueBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? row.createdAt,
  };
}

/** One page (plus one, to tell whether another exists) of disputes, newest first, optionally of one status. */
export function listDisputes(
  db: Db,
  filter: { status?: DisputeStatus; after?: { createdAt: string; id: string }; limit: number },
): Promise<DisputeRow[]> {
  return db
    .select()
    .from(disputes)
    .where(
      and(
        filter.status === undefined ? undefined : eq(disputes.status, filter.status),
        afterCreatedAt(disputes, filter.after, 'desc'),
      ),
    )
    .orderBy(desc(disputes.createdAt), desc(disputes.id))
    .limit(filter.limit + 1);
}

/** A dispute by id, or a 404. */
export async function findDispute(db: Db, id: string): Promise<DisputeRow> {
  const row = await db.select().from(disputes).where(eq(disputes.id, id)).get();
  if (!row) throw new AppError('NOT_FOUND', `No dispute ${id}.`);
  return row;
}
