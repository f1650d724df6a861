import { DurableObject } from 'cloudflare:workers';
import { dbOf } from '../db/client.js';
import { chainHead, entriesWithIds, insertEntry } from '../services/audit-chain-store.js';
import {
  type AppendResult,
  type AuditEntry,
  type AuditInput,
  linkEntries,
  type PendingEntry,
} from '../services/audit-entry.js';

/** Entries per D1 batch: a handful of round trips absorb a burst of hundreds of sign-ins. */
const BATCH_LIMIT = 50;
/** Tries of one batch before the writer backs off; each retry re-reads the head first. */
const ATTEMPTS = 3;
/**
 * Callers waiting in memory for their entry's commit. Beyond this many, an append is answered as queued as soon as
 * it is in storage: the entries themselves wait in SQLite, so memory stays bounded however far D1 falls behind.
 */
const MAX_WAITERS = 1000;
/** After a batch failed every try, how long the writer leaves D1 alone before it flushes again. */
const RETRY_AFTER_MS = 15_000;

type Waiter = (result: AppendResult) => void;
type PendingRow = { n: number; id: string; occurred_at: string; input: string };

/**
 * The audit log's single writer. A hash chain is a total order, so every append goes through this one object:
 * it links entries in arrival order and commits them to D1 in batches (group commit), so that concurrent events
 * cost one round trip per batch instead of a retry storm over the chain's head. D1 stays the store of record; the
 * head is read from it on first use and again after any failed write (for example a row written by someone else).
 *
 * An append is first written to this object's own storage (an outbox), then committed to D1. Its caller gets the
 * committed entry, or, when D1 fails or too many callers wait already, `{ queued }`: the entry stays in storage and
 * the next flush (the next append, the alarm, or the maintenance job's `flush()`) commits it. So a change that was
 * committed never fails its request for want of an audit entry, and no entry is lost. Entry ids are fixed by the
 * caller: an append repeated after a lost answer, or a batch that landed before the object was evicted, is
 * recognised by id and recorded once.
 */
export class AuditChain extends DurableObject<IdentityEnv> {
  private head: { seq: number; hash: string } | null = null;
  private readonly waiters = new Map<string, Waiter>();
  private writing: Promise<void> | null = null;
  private backoffUntil = 0;
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: IdentityEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS pending (
      n INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      occurred_at TEXT NOT NULL,
      input TEXT NOT NULL
    )`);
  }

  async append(pending: PendingEntry): Promise<AppendResult> {
    this.sql.exec(
      'INSERT INTO pending (id, occurred_at, input) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      pending.id,
      pending.occurredAt,
      JSON.stringify(pending.input),
    );
    if (this.waiters.size >= MAX_WAITERS || Date.now() < this.backoffUntil) {
      await this.scheduleRetry();
      return { queued: pending.id };
    }
    const result = new Promise<AppendResult>((resolve) => this.waiters.set(pending.id, resolve));
    this.kick();
    return result;
  }

  /** Commits whatever waits in storage; answers how many entries are still waiting. */
  async flush(): Promise<{ pending: number }> {
    this.backoffUntil = 0;
    this.kick();
    await this.writing;
    return { pending: this.pendingCount() };
  }

  override async alarm(): Promise<void> {
    await this.flush();
  }

  private pendingCount(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM pending').one().n;
  }

  private kick(): void {
    this.writing ??= this.drain()
      .catch(() => this.giveUp())
      .finally(() => {
        this.writing = null;
      });
  }

  /** Answers every waiting caller `queued` (their entries are safe in storage) and leaves D1 alone for a while. */
  private async giveUp(): Promise<void> {
    this.backoffUntil = Date.now() + RETRY_AFTER_MS;
    for (const [id, resolve] of this.waiters) resolve({ queued: id });
    this.waiters.clear();
    await this.scheduleRetry();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = this.sql
        .exec<PendingRow>('SELECT n, id, occurred_at, input FROM pending ORDER BY n LIMIT ?', BATCH_LIMIT)
        .toArray();
      if (rows.length === 0) return;
      const batch: PendingEntry[] = rows.map((r) => ({
        id: r.id,
        occurredAt: r.occurred_at,
        input: JSON.parse(r.input) as AuditInput,
      }));
      let entries: AuditEntry[];
      try {
        entries = await this.commit(batch);
      } catch {
        // D1 keeps failing: a D1 outage costs requests nothing, and the writer does not hammer it meanwhile.
        await this.giveUp();
        return;
      }
      this.sql.exec('DELETE FROM pending WHERE n <= ?', rows.at(-1)?.n ?? 0);
      for (const entry of entries) {
        this.waiters.get(entry.id)?.({ entry });
        this.waiters.delete(entry.id);
      }
    }
  }

  private async scheduleRetry(): Promise<void> {
    const at = Math.max(this.backoffUntil, Date.now() + 1000);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Links `pending` after the head and commits it in one batch. Entries that are in D1 already (a batch that landed
   * but whose answer was lost, or that an evicted writer never cleared from storage) are taken as they are stored,
   * and only the rest is linked and written.
   */
  private async commit(pending: PendingEntry[]): Promise<AuditEntry[]> {
    const db = dbOf(this.env.DB);
    for (let attempt = 1; ; attempt++) {
      this.head ??= await chainHead(db);
      const entries = await linkEntries(this.head, pending);
      const [first, ...rest] = entries.map((e) => insertEntry(db, e));
      if (!first) return [];
      try {
        await db.batch([first, ...rest]);
        const last = entries.at(-1);
        if (last) this.head = { seq: last.seq, hash: last.hash };
        return entries;
      } catch (err) {
        // Someone else moved the head, or the answer was lost: whatever D1 holds now is the truth.
        this.head = null;
        const landed = await entriesWithIds(
          db,
          pending.map((p) => p.id),
        ).catch(() => []);
        if (landed.length === pending.length) return landed;
        if (landed.length > 0) {
          const rest = pending.filter((p) => !landed.some((e) => e.id === p.id));
          return [...landed, ...(await this.commit(rest))];
        }
        if (attempt >= ATTEMPTS) throw err;
      }
    }
  }
}
