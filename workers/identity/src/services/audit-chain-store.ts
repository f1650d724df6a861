import { desc, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditArchiveSegments, auditLogs } from '../db/schema.js';
import { type AuditEntry, GENESIS_HASH } from './audit-entry.js';
import { auditRowColumns, entryOf } from './audit-row.js';

/**
 * The newest entry's position and hash: the live log's head, or the last archived segment's end when every entry
 * was archived, or the genesis values of an empty log. One batch, so both are read at the same moment.
 */
export async function chainHead(db: Db): Promise<{ seq: number; hash: string }> {
  const [[live], [archived]] = await db.batch([
    db.select({ seq: auditLogs.seq, hash: auditLogs.hash }).from(auditLogs).orderBy(desc(auditLogs.seq)).limit(1),
    db
      .select({ seq: auditArchiveSegments.lastSeq, hash: auditArchiveSegments.lastHash })
      .from(auditArchiveSegments)
      .orderBy(desc(auditArchiveSegments.lastSeq))
      .limit(1),
  ]);
  const head = live && archived ? (live.seq >= archived.seq ? live : archived) : (live ?? archived);
  return head ?? { seq: 0, hash: GENESIS_HASH };
}

/** The INSERT of one linked entry; the primary key on `seq` refuses a second entry at the same position. */
export function insertEntry(db: Db, entry: AuditEntry) {
  // `data` is stored as JSON text (the column's JSON mode) and hashed as the parsed value.
  return db.insert(auditLogs).values(entry);
}

/** The stored entries among `ids` (at most 100), in chain order: how the writer tells which of a batch landed. */
export async function entriesWithIds(db: Db, ids: string[]): Promise<AuditEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(auditRowColumns)
    .from(auditLogs)
    .where(inArray(auditLogs.id, ids))
    .orderBy(auditLogs.seq);
  return rows.map(entryOf);
}
