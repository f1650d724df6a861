import { type AuditEntry, entryHash, GENESIS_HASH } from './audit.js';
import { sha256Hex } from './crypto.js';

export type Row = {
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
export function entryOf(row: Row): AuditEntry {
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

/** The stored entries among `ids` (at most 100), in chain order: how the writer tells which of a batch landed. */
export async function entriesWithIds(db: D1Database, ids: string[]): Promise<AuditEntry[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(`SELECT * FROM audit_logs WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`)
    .bind(...ids)
    .all<Row>();
  return results.map(entryOf);
}

/** Why a chain check stopped. */
export type ChainBreak =
  | 'missing_entry'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'malformed_entry'
  | 'archive_mismatch'
  | 'archive_missing';

/** What the check saw of the archive: how far it reaches, and whether its objects were read (`checked`) or trusted. */
export interface ArchiveSummary {
  segments: number;
  throughSeq: number;
  checked: boolean;
}

/** The answer of `verifyAuditChain`. */
export type ChainVerification =
  | { valid: true; entries: number; head: string; archive: ArchiveSummary }
  | {
      valid: false;
      entries: number;
      head: string;
      archive: ArchiveSummary;
      firstBrokenSeq: number;
      reason: ChainBreak;
    };

/** One archive segment's anchors (table `audit_archive_segments`). */
export interface ArchiveSegment {
  firstSeq: number;
  lastSeq: number;
  firstPrevHash: string;
  lastHash: string;
  entries: number;
  objectKey: string;
  sha256: string;
}

/** Every archive segment, oldest first. */
export async function archiveSegments(db: D1Database): Promise<ArchiveSegment[]> {
  const { results } = await db
    .prepare(
      `SELECT first_seq AS firstSeq, last_seq AS lastSeq, first_prev_hash AS firstPrevHash, last_hash AS lastHash,
         entries, object_key AS objectKey, sha256 FROM audit_archive_segments ORDER BY first_seq`,
    )
    .all<ArchiveSegment>();
  return results;
}

/** Where a walk along the chain stands: the last entry that passed. */
interface Walk {
  seq: number;
  head: string;
}

/**
 * Checks `entries` (parsed, or null where a row did not parse) as the continuation of the chain after `at`, and
 * moves `at` past those that pass. Answers the first break, if any.
 */
async function walk(
  at: Walk,
  rows: { seq: number; prevHash: string; hash: string; entry: AuditEntry | null }[],
): Promise<{ seq: number; reason: ChainBreak } | null> {
  // The digests are independent of each other; only the comparisons below are sequential.
  const hashes = await Promise.all(rows.map((r) => (r.entry ? entryHash(r.entry) : null)));
  for (const [i, row] of rows.entries()) {
    const expected = at.seq + 1;
    if (row.seq !== expected) return { seq: expected, reason: 'missing_entry' };
    if (row.prevHash !== at.head) return { seq: row.seq, reason: 'prev_hash_mismatch' };
    if (hashes[i] === null) return { seq: row.seq, reason: 'malformed_entry' };
    if (hashes[i] !== row.hash) return { seq: row.seq, reason: 'hash_mismatch' };
    at.seq = expected;
    at.head = row.hash;
  }
  return null;
}

/** The entries of one archived NDJSON segment, or why they cannot be read. */
async function readSegment(
  bucket: R2Bucket,
  segment: ArchiveSegment,
): Promise<{ rows: Parameters<typeof walk>[1] } | { reason: ChainBreak }> {
  const object = await bucket.get(segment.objectKey);
  if (!object) return { reason: 'archive_missing' };
  const body = await object.text();
  if ((await sha256Hex(body)) !== segment.sha256) return { reason: 'archive_mismatch' };
  const rows = body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const entry = JSON.parse(line) as AuditEntry;
      return { seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash, entry };
    });
  return { rows };
}

/**
 * Walks the chain from seq 1: each seq must follow the previous one, each `prev_hash` must be the previous entry's
 * hash, and each hash must be what `entryHash` computes from the entry. Archived entries (moved to R2 by the
 * retention job) are covered by their segments' anchors: each segment must start where the previous one ended and
 * the live log continues from the last one's `last_hash`. With `archive`, every segment's object is also read and
 * re-hashed entry by entry; without it the anchors in D1 are trusted. `entries` is the seq of the last entry that
 * passed and `head` its hash, so a caller can also keep the head elsewhere and notice a chain cut short at its end,
 * which no check inside the chain can see.
 */
export async function verifyAuditChain(
  db: D1Database,
  options: { pageSize?: number; archive?: R2Bucket } = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 500;
  const at: Walk = { seq: 0, head: GENESIS_HASH };
  const segments = await archiveSegments(db);
  const archive: ArchiveSummary = {
    segments: segments.length,
    throughSeq: segments.at(-1)?.lastSeq ?? 0,
    checked: options.archive !== undefined,
  };
  const broken = (seq: number, reason: ChainBreak): ChainVerification => ({
    valid: false,
    entries: at.seq,
    head: at.head,
    archive,
    firstBrokenSeq: seq,
    reason,
  });
  for (const segment of segments) {
    if (segment.firstSeq !== at.seq + 1 || segment.firstPrevHash !== at.head)
      return broken(at.seq + 1, 'archive_mismatch');
    if (options.archive) {
      const read = await readSegment(options.archive, segment);
      if ('reason' in read) return broken(segment.firstSeq, read.reason);
      const found = await walk(at, read.rows);
      if (found) return broken(found.seq, found.reason);
      if (at.seq !== segment.lastSeq || at.head !== segment.lastHash) return broken(at.seq + 1, 'archive_mismatch');
    } else {
      at.seq = segment.lastSeq;
      at.head = segment.lastHash;
    }
  }
  for (;;) {
    const { results } = await db
      .prepare('SELECT * FROM audit_logs WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(at.seq, pageSize)
      .all<Row>();
    const rows = results.map((row) => {
      let entry: AuditEntry | null;
      try {
        entry = entryOf(row);
      } catch {
        entry = null;
      }
      return { seq: row.seq, prevHash: row.prev_hash, hash: row.hash, entry };
    });
    const found = await walk(at, rows);
    if (found) return broken(found.seq, found.reason);
    if (results.length < pageSize) return { valid: true, entries: at.seq, head: at.head, archive };
  }
}
