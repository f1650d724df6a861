import { DurableObject } from 'cloudflare:workers';
import { type Algorithm, type Decision, decide, type LimiterState } from '../rate-limit/algorithms.js';

interface StateRow extends Record<string, SqlStorageValue> {
  algorithm: string;
  a: number;
  b: number;
  c: number;
  expires_at: number;
}

/**
 * The embedded limiter: one instance per limited key (`idFromName('<policy>:<key>')`), so keys shard across objects
 * by themselves and one hot key never queues behind another. The object runs one call at a time and decides without
 * awaiting anything, so a burst of parallel hits is admitted exactly up to the limit.
 *
 * The state (a few numbers) is read from SQLite once per activation and then kept in memory; each admitted hit writes
 * one row, which the runtime coalesces and confirms before the answer leaves, so an eviction or restart loses nothing.
 * A refused hit writes nothing. An alarm deletes the object's storage once its state has aged out, so idle keys
 * cost no storage.
 */
export class RateLimiter extends DurableObject<GatewayEnv> {
  private readonly sql: SqlStorage;
  /** `undefined` until loaded; `null` when there is no state. */
  private state: LimiterState | null | undefined;
  private alarmAt = 0;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  /** Counts one hit under the given rule; positional arguments keep the RPC message small. */
  hit(algorithm: Algorithm, limit: number, windowMs: number, refillRate: number): Decision {
    const now = Date.now();
    if (this.state === undefined) this.load();
    const { decision, next } = decide({ algorithm, limit, windowMs, refillRate }, this.state ?? undefined, now);
    if (next !== undefined) {
      this.state = next;
      this.sql.exec(
        'INSERT OR REPLACE INTO state (id, algorithm, a, b, c, expires_at) VALUES (1, ?, ?, ?, ?, ?)',
        next.algorithm,
        next.a,
        next.b,
        next.c,
        next.expiresAt,
      );
      // One alarm at a time; it re-arms itself while the state is still live.
      if (this.alarmAt === 0) {
        this.alarmAt = next.expiresAt;
        void this.ctx.storage.setAlarm(next.expiresAt);
      }
    }
    return decision;
  }

  override async alarm(): Promise<void> {
    if (this.state === undefined) this.load();
    const expiresAt = this.state?.expiresAt ?? 0;
    if (expiresAt > Date.now()) {
      this.alarmAt = expiresAt;
      await this.ctx.storage.setAlarm(expiresAt);
      return;
    }
    this.alarmAt = 0;
    // Unloaded rather than null, so that the next hit recreates the table deleteAll() drops.
    this.state = undefined;
    await this.ctx.storage.deleteAll();
  }

  private load(): void {
    // Created lazily rather than in the constructor: after deleteAll() the table is gone but the instance may live on.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), algorithm TEXT NOT NULL,
      a REAL NOT NULL, b REAL NOT NULL, c REAL NOT NULL, expires_at REAL NOT NULL)`);
    const row = this.sql.exec<StateRow>('SELECT algorithm, a, b, c, expires_at FROM state').toArray()[0];
    this.state =
      row === undefined
        ? null
        : {
            algorithm: row.algorithm === 'token_bucket' ? 'token_bucket' : 'sliding_window',
            a: row.a,
            b: row.b,
            c: row.c,
            expiresAt: row.expires_at,
          };
  }
}
