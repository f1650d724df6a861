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

/** An event with the request details that go with it, as the chain writer receives it. */
export type AuditInput = AuditEvent & { ip?: string | null; userAgent?: string | null; requestId?: string | null };

/** The hash that links an entry to the chain: SHA-256 over its fields and the previous entry's hash. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): Promise<string> {
  return sha256Hex(JSON.stringify(linkedFields(entry)));
}

/** The fields the hash covers, in the order of the table's columns (which `insertEntry` follows too). */
function linkedFields(entry: Omit<AuditEntry, 'hash'>) {
  return [
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
  ] as const;
}

/** The newest entry's position and hash, or the genesis values of an empty log. */
export async function chainHead(db: D1Database): Promise<{ seq: number; hash: string }> {
  const head = await db
    .prepare('SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1')
    .first<{ seq: number; hash: string }>();
  return head ?? { seq: 0, hash: GENESIS_HASH };
}

/** An entry not yet linked: what the writer fixes before it knows where in the chain the entry lands. */
export interface PendingEntry {
  id: string;
  occurredAt: string;
  input: AuditInput;
}

/** Fixes an event's id and time, so that a retried write cannot record it twice or at another time. */
export function pendingEntry(input: AuditInput): PendingEntry {
  return { id: newId('aud'), occurredAt: new Date().toISOString(), input };
}

/** Links `pending` entries after `head`, in order. */
export async function linkEntries(head: { seq: number; hash: string }, pending: PendingEntry[]): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let { seq, hash } = head;
  for (const p of pending) {
    const e = p.input;
    const unhashed: Omit<AuditEntry, 'hash'> = {
      seq: seq + 1,
      id: p.id,
      occurredAt: p.occurredAt,
      action: e.action,
      outcome: e.outcome ?? 'success',
      actorId: e.actorId ?? null,
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      ip: e.ip ?? null,
      userAgent: e.userAgent?.slice(0, 512) ?? null,
      requestId: e.requestId ?? null,
      data: e.data ?? null,
      prevHash: hash,
    };
    const entry = { ...unhashed, hash: await entryHash(unhashed) };
    entries.push(entry);
    seq = entry.seq;
    hash = entry.hash;
  }
  return entries;
}

/** The INSERT of one linked entry; the primary key on `seq` refuses a second entry at the same position. */
export function insertEntry(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  const fields: unknown[] = [...linkedFields(entry), entry.hash];
  // `data` is stored as JSON text and hashed as the parsed value.
  fields[11] = entry.data === null ? null : JSON.stringify(entry.data);
  return db
    .prepare(
      `INSERT INTO audit_logs (seq, id, occurred_at, action, outcome, actor_id, target_type, target_id, ip,
         user_agent, request_id, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(...fields);
}

/**
 * Appends an entry to the chain through its single writer, the AuditChain Durable Object, which links entries in
 * arrival order and commits them in batches (see durable-objects/audit-chain.ts).
 */
export function appendAudit(env: IdentityEnv, input: AuditInput): Promise<AuditEntry> {
  return env.AUDIT_CHAIN.get(env.AUDIT_CHAIN.idFromName('audit-log')).append(input);
}

/** Records a security event of the current request, with its ip, user agent and request id. */
export function audit(c: Context<AppEnv>, event: AuditEvent): Promise<AuditEntry> {
  return appendAudit(c.env, {
    ...event,
    ip: c.get('clientIp') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
  });
}
