import { getTableColumns } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { auditArchiveSegments } from '../db/schema.js';
import type { ChainBreak, ChainRow } from './audit-chain-walk.js';
import type { AuditEntry } from './audit-entry.js';
import { sha256Hex } from './crypto.js';

/** One archive segment's anchors (table `audit_archive_segments`). */
type ArchiveSegment = Omit<typeof auditArchiveSegments.$inferSelect, 'archivedAt'>;

/** Every archive segment, oldest first. */
export async function archiveSegments(d1: D1Database): Promise<ArchiveSegment[]> {
  const { archivedAt: _archivedAt, ...anchors } = getTableColumns(auditArchiveSegments);
  return dbOf(d1).select(anchors).from(auditArchiveSegments).orderBy(auditArchiveSegments.firstSeq);
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
