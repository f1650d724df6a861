import { and, desc, eq, gte, lt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { auditLogs } from '../db/schema.js';
import type { AuditEntry } from './audit-entry.js';
import { auditRowColumns, entryOf } from './audit-row.js';

/** Filters of the audit log listing; `from` is inclusive, `to` exclusive. */
interface AuditFilter {
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
export async function listAuditEntries(d1: D1Database, filter: AuditFilter): Promise<AuditEntry[]> {
  const rows = await dbOf(d1)
    .select(auditRowColumns)
    .from(auditLogs)
    .where(
      and(
        filter.actorId !== undefined ? eq(auditLogs.actorId, filter.actorId) : undefined,
        filter.targetId !== undefined ? eq(auditLogs.targetId, filter.targetId) : undefined,
        filter.action !== undefined ? eq(auditLogs.action, filter.action) : undefined,
        filter.outcome !== undefined ? eq(auditLogs.outcome, filter.outcome) : undefined,
        // occurred_at is always written by toISOString(), so string order is time order.
        filter.from !== undefined ? gte(auditLogs.occurredAt, filter.from) : undefined,
        filter.to !== undefined ? lt(auditLogs.occurredAt, filter.to) : undefined,
        filter.beforeSeq !== undefined ? lt(auditLogs.seq, filter.beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(auditLogs.seq))
    .limit(filter.limit);
  return rows.map((row) => {
    try {
      return entryOf(row);
    } catch {
      // Only a row edited behind the application's back fails to parse; list it, and let verify report it.
      return { ...entryOf({ ...row, data: null }), data: { unparsable: row.data } };
    }
  });
}
