import { between, desc, gt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { auditArchiveSegments, auditLogs } from '../db/schema.js';
import { entryHash, GENESIS_HASH } from './audit-entry.js';
import { type AuditRow, auditRowColumns, entryOf } from './audit-row.js';
import { sha256Hex } from './crypto.js';

/** Entries per archived segment: one NDJSON object of a few hundred kilobytes. */
const SEGMENT_ENTRIES = 1000;
/** Segments per maintenance run, so that one run stays well inside a job's time. */
const SEGMENTS_PER_RUN = 10;

/** What one archival run did; `blockedAt` is the seq of a broken entry that stopped it (the chain needs a look). */
interface ArchiveReport {
  segmentsArchived: number;
  entriesArchived: number;
  blockedAt: number | null;
}

/** The R2 key of the segment holding `first`..`last`: fixed by its range, so a retried run overwrites the same object. */
export function segmentKey(first: number, last: number): string {
  const pad = (n: number) => String(n).padStart(12, '0');
  return `audit-logs/${pad(first)}-${pad(last)}.ndjson`;
}

/**
 * Audit retention: moves entries older than `retentionDays` from D1 to R2, oldest first, as NDJSON segments of up
 * to SEGMENT_ENTRIES contiguous entries, each checked link by link before it leaves. Per segment the object is
 * written first, then one D1 batch records its anchors (first/last seq and hash, the object's SHA-256) and deletes
 * exactly those rows; the triggers of migration 0007 let a DELETE reach only rows at or below the last recorded
 * segment, and a segment only extend the previous one and end at an entry that exists with that hash. Interrupted
 * between the two, the next run writes the same object again; two runs at once both write it and the second batch
 * is refused by the segment's primary key, so each entry is archived once.
 */
export async function archiveAuditLog(
  env: Pick<IdentityEnv, 'DB' | 'AUDIT_ARCHIVE'>,
  retentionDays: number,
  now = Date.now(),
): Promise<ArchiveReport> {
  const report: ArchiveReport = { segmentsArchived: 0, entriesArchived: 0, blockedAt: null };
  const cutoff = new Date(now - retentionDays * 24 * 3600_000).toISOString();
  const db = dbOf(env.DB);
  for (let run = 0; run < SEGMENTS_PER_RUN; run++) {
    const [last] = await db
      .select({ seq: auditArchiveSegments.lastSeq, hash: auditArchiveSegments.lastHash })
      .from(auditArchiveSegments)
      .orderBy(desc(auditArchiveSegments.lastSeq))
      .limit(1);
    const anchor = last ?? { seq: 0, hash: GENESIS_HASH };
    const results = await db
      .select(auditRowColumns)
      .from(auditLogs)
      .where(gt(auditLogs.seq, anchor.seq))
      .orderBy(auditLogs.seq)
      .limit(SEGMENT_ENTRIES);
    // Only the old enough prefix: a segment never has a gap, even where times are out of order.
    const young = results.findIndex((r) => r.occurredAt >= cutoff);
    const old = young === -1 ? results : results.slice(0, young);
    if (old.length === 0) return report;
    const lines: string[] = [];
    let head = anchor;
    for (const row of old) {
      let entry: ReturnType<typeof entryOf>;
      try {
        entry = entryOf(row);
      } catch {
        report.blockedAt = row.seq;
        return report;
      }
      const { hash, ...unhashed } = entry;
      if (row.seq !== head.seq + 1 || row.prevHash !== head.hash || (await entryHash(unhashed)) !== hash) {
        report.blockedAt = row.seq;
        return report;
      }
      lines.push(JSON.stringify(entry));
      head = { seq: row.seq, hash };
    }
    const first = old[0] as AuditRow;
    const body = `${lines.join('\n')}\n`;
    const key = segmentKey(first.seq, head.seq);
    const digest = await sha256Hex(body);
    await env.AUDIT_ARCHIVE.put(key, body, {
      httpMetadata: { contentType: 'application/x-ndjson' },
      customMetadata: { firstSeq: String(first.seq), lastSeq: String(head.seq), lastHash: head.hash },
    });
    try {
      await db.batch([
        db.insert(auditArchiveSegments).values({
          firstSeq: first.seq,
          lastSeq: head.seq,
          firstPrevHash: first.prevHash,
          lastHash: head.hash,
          entries: old.length,
          objectKey: key,
          sha256: digest,
        }),
        db.delete(auditLogs).where(between(auditLogs.seq, first.seq, head.seq)),
      ]);
    } catch (err) {
      // Another run recorded this segment first: its object is the same bytes, so the next pass moves on.
      if (String(err).includes('UNIQUE constraint failed')) continue;
      throw err;
    }
    report.segmentsArchived++;
    report.entriesArchived += old.length;
  }
  return report;
}
