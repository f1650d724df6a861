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
    return this.take(algorithm, limit, windowMs, refillRate, 1).decision;
  }

  /**
   * Takes up to `max` hits at once for a gateway isolate to spend without calling again (a lease): as many as the
   * rule admits now, but at most a tenth of what is left, so that leases held by other isolates never hide more
   * than a small share of the budget, and one at a time when little is left, so that the last hits are decided
   * here one by one. `decision` is the answer for the first hit; `granted` is 0 when it is refused.
   */
  take(
    algorithm: Algorithm,
    limit: number,
    windowMs: number,
    refillRate: number,
    max: number,
  ): { granted: number; decision: Decision } {
    const now = Date.now();
    if (this.state === undefined) this.load();
    const rule = { algorithm, limit, windowMs, refillRate };
    const first = decide(rule, this.state ?? undefined, now);
    if (first.next === undefined) return { granted: 0, decision: first.decision };
    let state = first.next;
    let last = first.decision;
    let granted = 1;
    const wanted = Math.max(1, Math.min(max, Math.floor(first.decision.remaining / 10)));
    while (granted < wanted) {
      const more = decide(rule, state, now);
      if (more.next === undefined) break;
      state = more.next;
      last = more.decision;
      granted += 1;
    }
    this.state = state;
    this.sql.exec(
      'INSERT OR REPLACE INTO state (id, algorithm, a, b, c, expires_at) VALUES (1, ?, ?, ?, ?, ?)',
      state.algorithm,
      state.a,
      state.b,
      state.c,
      state.expiresAt,
    );
    if (this.alarmAt === 0) {
      this.alarmAt = state.expiresAt;
      void this.ctx.storage.setAlarm(state.expiresAt);
    }
    return { granted, decision: { ...first.decision, remaining: last.remaining } };
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
