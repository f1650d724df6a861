import type { AuditEntry } from './audit.js';
import { entryOf, type Row } from './audit-row.js';

export { type ArchiveSegment, archiveSegments } from './audit-archive-segments.js';
export { type ArchiveSummary, type ChainVerification, verifyAuditChain } from './audit-chain-verify.js';
export type { ChainBreak } from './audit-chain-walk.js';
// The row shape and the chain check live beside this file; they stay importable from here.
export { entryOf, type Row } from './audit-row.js';

/** Filters of the audit log listing; `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  actorId?: string;
  targetId?: string;
  action?: string;
  outcome?: 'success' | 'failure';
  from?: string;
  to?: string;
  /** Only entries older than this seq (the cursor). */
  beforeSeq?: number;
  limit: number;
}

/** Entries matching `filter`, newest first. */
export async function listAuditEntries(db: D1Database, filter: AuditFilter): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    where.push(clause);
    params.push(value);
  };
  if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
  if (filter.targetId !== undefined) add('target_id = ?', filter.targetId);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
  // occurred_at is always written by toISOString(), so string order is time order.
  if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
  if (filter.to !== undefined) add('occurred_at < ?', filter.to);
  if (filter.beforeSeq !== undefined) add('seq < ?', filter.beforeSeq);
  const { results } = await db
    .prepare(`SELECT * FROM audit_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
    .bind(...params, filter.limit)
    .all<Row>();
  return results.map((row) => {
    try {
      return entryOf(row);
    } catch {
      // Only a row edited behind the application's back fails to parse; list it, and let verify report it.
      return { ...entryOf({ ...row, data: null }), data: { unparsable: row.data } };
    }
  });
}

/** The stored entries among `ids` (at most 100), in chain order: how the writer tells which of a batch landed. */
export async function entriesWithIds(db: D1Database, ids: string[]): Promise<AuditEntry[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(`SELECT * FROM audit_logs WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`)
    .bind(...ids)
    .all<Row>();
  return results.map(entryOf);
}
