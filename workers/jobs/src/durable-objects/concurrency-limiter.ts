import { DurableObject } from 'cloudflare:workers';

/** What `acquire` answers: a new permit, the holder's existing one, or none free. */
type PermitAnswer = 'granted' | 'held' | 'denied';

/**
 * A counting semaphore for one concurrency key (one object per key). Permits carry a lease, so a run that crashed
 * without releasing frees its permit when the lease lapses. A DO runs one request at a time, so check-and-insert
 * needs no further locking.
 */
export class ConcurrencyLimiter extends DurableObject<JobsEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: JobsEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS permits (holder TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
  }

  /** A permit for `holder` (a job id) if fewer than `limit` live permits exist; re-acquiring renews the lease. */
  acquire(holder: string, limit: number, leaseMs: number): PermitAnswer {
    const now = Date.now();
    this.sql.exec('DELETE FROM permits WHERE expires_at <= ?', now);
    const held = this.sql.exec('SELECT 1 FROM permits WHERE holder = ?', holder).toArray().length > 0;
    if (held) {
      this.sql.exec('UPDATE permits SET expires_at = ? WHERE holder = ?', now + leaseMs, holder);
      return 'held';
    }
    const count = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM permits').one().n;
    if (count >= limit) return 'denied';
    this.sql.exec('INSERT INTO permits (holder, expires_at) VALUES (?, ?)', holder, now + leaseMs);
    return 'granted';
  }

  /** Frees `holder`'s permit; releasing one not held is a no-op, so a repeated release is harmless. */
  release(holder: string): void {
    this.sql.exec('DELETE FROM permits WHERE holder = ?', holder);
  }
}
