import { getTableColumns, sql } from 'drizzle-orm';
import { auditLogs } from '../db/schema.js';
import type { AuditEntry } from './audit-entry.js';

/**
 * The columns of `audit_logs` with `data` as its stored text: drizzle would parse the JSON column for the whole
 * result, and one row edited behind the application's back must fail only its own parse (see `entryOf`).
 */
export const auditRowColumns = { ...getTableColumns(auditLogs), data: sql<string | null>`${auditLogs.data}` };

/** An `audit_logs` row as `auditRowColumns` reads it. */
export type AuditRow = Omit<typeof auditLogs.$inferSelect, 'data'> & { data: string | null };

/** A stored row as the entry the chain writer hashed: `data` is stored as JSON text and hashed as the parsed value. */
export function entryOf(row: AuditRow): AuditEntry {
  return { ...row, data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>) };
}
