import { newId } from '@onasis/contracts';
import type { AuditEvent } from './audit.js';
import { sha256Hex } from './crypto.js';

/** An event with the request details that go with it, as the chain writer receives it. */
export type AuditInput = AuditEvent & { ip?: string | null; userAgent?: string | null; requestId?: string | null };

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

/** The hash that links an entry to the chain: SHA-256 over its fields and the previous entry's hash. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): Promise<string> {
  // The fields in the order of the table's columns; changing it breaks every stored link.
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

/** What the chain writer answers: the committed entry, or that the entry is kept in its storage for the next flush. */
export type AppendResult = { entry: AuditEntry } | { queued: string };
