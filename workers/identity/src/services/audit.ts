import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { newId, sha256Hex } from './crypto.js';

/** What happened, to whom and by whom; the request supplies ip, user agent and request id. */
export interface AuditEvent {
  /** Dotted name such as `user.login`, `session.revoked`, `role.updated`. */
  action: string;
  outcome?: 'success' | 'failure';
  actorId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  data?: Record<string, unknown> | null;
}

/** A stored entry, as hashed and as listed. */
export interface AuditEntry {
  seq: number;
  id: string;
  occurredAt: string;
  action: string;
  outcome: 'success' | 'failure';
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  data: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
const MAX_ATTEMPTS = 8;

/** The hash that links an entry to the chain: SHA-256 over its fields and the previous entry's hash. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): Promise<string> {
  return sha256Hex(
    JSON.stringify([
      entry.seq,
      entry.id,
      entry.occurredAt,
      entry.action,
      entry.outcome,
      entry.actorId,
      entry.targetType,
      entry.targetId,
      entry.ip,
      entry.userAgent,
      entry.requestId,
      entry.data,
      entry.prevHash,
    ]),
  );
}

/**
 * Appends an entry to the chain. Each writer reads the head, links to it and inserts at `seq + 1`; the primary key
 * on `seq` lets only one of two racing writers win, and the loser links to the new head and tries again. The
 * entry's id is fixed before the first try, so a retry cannot add it twice.
 */
export async function appendAudit(
  db: D1Database,
  event: AuditEvent & { ip?: string | null; userAgent?: string | null; requestId?: string | null },
): Promise<AuditEntry> {
  const id = newId('aud');
  const occurredAt = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    const head = await db
      .prepare('SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1')
      .first<{ seq: number; hash: string }>();
    const unhashed: Omit<AuditEntry, 'hash'> = {
      seq: (head?.seq ?? 0) + 1,
      id,
      occurredAt,
      action: event.action,
      outcome: event.outcome ?? 'success',
      actorId: event.actorId ?? null,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      ip: event.ip ?? null,
      userAgent: event.userAgent?.slice(0, 512) ?? null,
      requestId: event.requestId ?? null,
      data: event.data ?? null,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const entry = { ...unhashed, hash: await entryHash(unhashed) };
    try {
      await db
        .prepare(
          `INSERT INTO audit_logs (seq, id, occurred_at, action, outcome, actor_id, target_type, target_id, ip,
             user_agent, request_id, data, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          entry.seq,
          entry.id,
          entry.occurredAt,
          entry.action,
          entry.outcome,
          entry.actorId,
          entry.targetType,
          entry.targetId,
          entry.ip,
          entry.userAgent,
          entry.requestId,
          entry.data === null ? null : JSON.stringify(entry.data),
          entry.prevHash,
          entry.hash,
        )
        .run();
      return entry;
    } catch (err) {
      const lostRace = String(err).includes('UNIQUE constraint failed');
      if (!lostRace || attempt >= MAX_ATTEMPTS) throw err;
      // The insert may have landed before its answer was lost; then the entry is already in the chain.
      const landed = await db.prepare('SELECT seq FROM audit_logs WHERE id = ?').bind(id).first();
      if (landed) return { ...entry, seq: landed.seq as number };
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/** Records a security event of the current request, with its ip, user agent and request id. */
export function audit(c: Context<AppEnv>, event: AuditEvent): Promise<AuditEntry> {
  return appendAudit(c.env.DB, {
    ...event,
    ip: c.get('clientIp') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
  });
}
