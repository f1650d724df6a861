import { DurableObject } from 'cloudflare:workers';
import {
  type AuditEntry,
  type AuditInput,
  chainHead,
  insertEntry,
  linkEntries,
  type PendingEntry,
  pendingEntry,
} from '../services/audit.js';

/** Entries per D1 batch: a handful of round trips absorb a burst of hundreds of sign-ins. */
const BATCH_LIMIT = 50;
/** Tries of one batch before its callers get the error; each retry re-reads the head first. */
const ATTEMPTS = 3;

type Waiter = { pending: PendingEntry; resolve: (entry: AuditEntry) => void; reject: (err: unknown) => void };

/**
 * The audit log's single writer. A hash chain is a total order, so every append goes through this one object:
 * it links entries in arrival order and commits them to D1 in batches (group commit), so that concurrent events
 * cost one round trip per batch instead of a retry storm over the chain's head. D1 stays the store of record; the
 * head is read from it on first use and again after any failed write (for example a row written by someone else).
 *
 * A caller's append resolves once its entry is committed. If the object is evicted with entries queued, those
 * callers see the RPC fail, exactly as if the write had failed, and nothing half-written remains (a batch is atomic).
 */
export class AuditChain extends DurableObject<IdentityEnv> {
  private head: { seq: number; hash: string } | null = null;
  private readonly queue: Waiter[] = [];
  private writing = false;

  append(input: AuditInput): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      this.queue.push({ pending: pendingEntry(input), resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH_LIMIT);
        try {
          const entries = await this.commit(batch.map((w) => w.pending));
          for (const [i, w] of batch.entries()) w.resolve(entries[i] as AuditEntry);
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async commit(pending: PendingEntry[]): Promise<AuditEntry[]> {
    const db = this.env.DB;
    for (let attempt = 1; ; attempt++) {
      this.head ??= await chainHead(db);
      const entries = await linkEntries(this.head, pending);
      try {
        await db.batch(entries.map((e) => insertEntry(db, e)));
        const last = entries.at(-1);
        if (last) this.head = { seq: last.seq, hash: last.hash };
        return entries;
      } catch (err) {
        // Someone else moved the head, or the answer was lost: whatever D1 holds now is the truth.
        this.head = null;
        const first = entries[0];
        // A batch is atomic, so one of its entries being there means all of them are: the write did land.
        if (first && (await db.prepare('SELECT 1 FROM audit_logs WHERE id = ?').bind(first.id).first())) return entries;
        if (attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
