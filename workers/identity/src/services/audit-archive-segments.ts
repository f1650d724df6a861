import type { AuditEntry } from './audit.js';
import type { ChainBreak, ChainRow } from './audit-chain-walk.js';
import { sha256Hex } from './crypto.js';

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

/** The entries of one archived NDJSON segment, or why they cannot be read. */
export async function readSegment(
  bucket: R2Bucket,
  segment: ArchiveSegment,
): Promise<{ rows: ChainRow[] } | { reason: ChainBreak }> {
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
