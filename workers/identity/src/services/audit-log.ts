import { type AuditEntry, entryHash, GENESIS_HASH } from './audit.js';

type Row = {
  seq: number;
  id: string;
  occurred_at: string;
  action: string;
  outcome: 'success' | 'failure';
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
};

/** A stored row as the entry `appendAudit` hashed: `data` is stored as JSON text and hashed as the parsed value. */
function entryOf(row: Row): AuditEntry {
  return {
    seq: row.seq,
    id: row.id,
    occurredAt: row.occurred_at,
    action: row.action,
    outcome: row.outcome,
    actorId: row.actor_id,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

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

/** Why a chain check stopped. */
export type ChainBreak = 'missing_entry' | 'prev_hash_mismatch' | 'hash_mismatch' | 'malformed_entry';

/** The answer of `verifyAuditChain`. */
export type ChainVerification =
  | { valid: true; entries: number; head: string }
  | { valid: false; entries: number; head: string; firstBrokenSeq: number; reason: ChainBreak };

/**
 * Walks the whole chain from seq 1, `pageSize` rows per query: each seq must follow the previous one, each
 * `prev_hash` must be the previous entry's hash, and each hash must be what `entryHash` computes from the row.
 * `entries` counts the entries that passed and `head` is the hash of the last of them, so a caller can also keep
 * the head elsewhere and notice a chain cut short at its end, which no check inside the chain can see.
 */
export async function verifyAuditChain(
  db: D1Database,
  options: { pageSize?: number } = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 500;
  let entries = 0;
  let head = GENESIS_HASH;
  for (;;) {
    const { results } = await db
      .prepare('SELECT * FROM audit_logs WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(entries, pageSize)
      .all<Row>();
    const parsed = results.map((row) => {
      try {
        return entryOf(row);
      } catch {
        return null;
      }
    });
    // The digests of a page are independent of each other; only the comparisons below are sequential.
    const hashes = await Promise.all(parsed.map((entry) => (entry ? entryHash(entry) : null)));
    for (const [i, row] of results.entries()) {
      const expected = entries + 1;
      const broken = (reason: ChainBreak, seq = row.seq): ChainVerification => ({
        valid: false,
        entries,
        head,
        firstBrokenSeq: seq,
        reason,
      });
      if (row.seq !== expected) return broken('missing_entry', expected);
      if (row.prev_hash !== head) return broken('prev_hash_mismatch');
      if (hashes[i] === null) return broken('malformed_entry');
      if (hashes[i] !== row.hash) return broken('hash_mismatch');
      entries = expected;
      head = row.hash;
    }
    if (results.length < pageSize) return { valid: true, entries, head };
  }
}
