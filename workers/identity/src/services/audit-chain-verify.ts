import { gt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { auditLogs } from '../db/schema.js';
import { archiveSegments, readSegment } from './audit-archive-segments.js';
import { type ChainBreak, type Walk, walk } from './audit-chain-walk.js';
import { type AuditEntry, GENESIS_HASH } from './audit-entry.js';
import { auditRowColumns, entryOf } from './audit-row.js';

/** What the check saw of the archive: how far it reaches, and whether its objects were read (`checked`) or trusted. */
interface ArchiveSummary {
  segments: number;
  throughSeq: number;
  checked: boolean;
}

/** The answer of `verifyAuditChain`. */
type ChainVerification =
  | { valid: true; entries: number; head: string; archive: ArchiveSummary }
  | {
      valid: false;
      entries: number;
      head: string;
      archive: ArchiveSummary;
      firstBrokenSeq: number;
      reason: ChainBreak;
    };

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
    const results = await dbOf(db)
      .select(auditRowColumns)
      .from(auditLogs)
      .where(gt(auditLogs.seq, at.seq))
      .orderBy(auditLogs.seq)
      .limit(pageSize);
    const rows = results.map((row) => {
      let entry: AuditEntry | null;
      try {
        entry = entryOf(row);
      } catch {
        entry = null;
      }
      return { seq: row.seq, prevHash: row.prevHash, hash: row.hash, entry };
    });
    const found = await walk(at, rows);
    if (found) return broken(found.seq, found.reason);
    if (results.length < pageSize) return { valid: true, entries: at.seq, head: at.head, archive };
  }
}
