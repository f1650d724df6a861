import { newId } from '@onasis/contracts';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { sha256Hex } from './crypto.js';

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

/**
 * The newest entry's position and hash: the live log's head, or the last archived segment's end when every entry
 * was archived, or the genesis values of an empty log.
 */
export async function chainHead(db: D1Database): Promise<{ seq: number; hash: string }> {
  const head = await db
    .prepare(
      `SELECT seq, hash FROM (SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1)
       UNION ALL SELECT * FROM (
         SELECT last_seq AS seq, last_hash AS hash FROM audit_archive_segments ORDER BY last_seq DESC LIMIT 1)
       ORDER BY seq DESC LIMIT 1`,
    )
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

/** What the chain writer answers: the committed entry, or that the entry is kept in its storage for the next flush. */
export type AppendResult = { entry: AuditEntry } | { queued: string };

/** The chain's single writer (see durable-objects/audit-chain.ts). */
export function auditChainOf(env: IdentityEnv) {
  return env.AUDIT_CHAIN.get(env.AUDIT_CHAIN.idFromName('audit-log'));
}

/** Thrown by `appendAudit` when the entry was kept for a later flush instead of being committed now. */
export class AuditQueuedError extends Error {
  constructor(readonly id: string) {
    super(`audit entry ${id} is queued for a later flush`);
    this.name = 'AuditQueuedError';
  }
}

/**
 * Appends an entry to the chain through its single writer, the AuditChain Durable Object, which links entries in
 * arrival order and commits them in batches (see durable-objects/audit-chain.ts). Resolves with the committed entry;
 * rejects with AuditQueuedError when the writer kept it in its storage for a later flush (D1 failing, or its queue
 * full), and with any other error when the writer could not be reached.
 */
export async function appendAudit(env: IdentityEnv, input: AuditInput): Promise<AuditEntry> {
  // RPC typing loses the shape of `data`; the object answers exactly AppendResult.
  const result = (await auditChainOf(env).append(pendingEntry(input))) as AppendResult;
  if ('entry' in result) return result.entry;
  throw new AuditQueuedError(result.queued);
}

/** Delays between tries of an append whose writer could not be reached, after the response went out. */
const DEFERRED_TRIES_MS = [1000, 5000, 20_000];

/**
 * Records a security event of the current request, with its ip, user agent and request id. Never fails the request:
 * the change it records is already committed, and the client must get its answer (recovery codes, a key's secret,
 * a session). The writer keeps an entry it cannot commit yet in its own storage; when the writer itself cannot be
 * reached, the same entry (same id, so never recorded twice) is tried again after the response.
 */
export async function audit(c: Context<AppEnv>, event: AuditEvent): Promise<void> {
  const pending = pendingEntry({
    ...event,
    ip: c.get('clientIp') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
  });
  const chain = auditChainOf(c.env);
  try {
    await chain.append(pending);
  } catch (err) {
    const log = c.get('log');
    const about = { action: event.action, auditId: pending.id, err: String(err) };
    log.warn('audit append deferred', about);
    c.executionCtx.waitUntil(
      (async () => {
        for (const ms of DEFERRED_TRIES_MS) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          try {
            await auditChainOf(c.env).append(pending);
            return;
          } catch {}
        }
        // Ids and the action only: an entry's data may name an address.
        log.error('audit entry lost', about);
      })(),
    );
  }
}
