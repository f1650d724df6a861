import type { AuditEntry } from './audit.js';

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
