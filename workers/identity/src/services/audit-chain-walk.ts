import { type AuditEntry, entryHash } from './audit-entry.js';

/** Why a chain check stopped. */
export type ChainBreak =
  | 'missing_entry'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'malformed_entry'
  | 'archive_mismatch'
  | 'archive_missing';

/** One entry as the walk sees it: its chain fields, and the parsed entry (null where a row did not parse). */
export type ChainRow = { seq: number; prevHash: string; hash: string; entry: AuditEntry | null };

/** Where a walk along the chain stands: the last entry that passed. */
export interface Walk {
  seq: number;
  head: string;
}

/**
 * Checks `entries` (parsed, or null where a row did not parse) as the continuation of the chain after `at`, and
 * moves `at` past those that pass. Answers the first break, if any.
 */
export async function walk(at: Walk, rows: ChainRow[]): Promise<{ seq: number; reason: ChainBreak } | null> {
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
