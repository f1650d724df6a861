import { DurableObject } from 'cloudflare:workers';

/** The answer to one request against a user's monthly quota. */
interface QuotaDecision {
  allowed: boolean;
  /** Requests counted this month, including this one when it was allowed. */
  used: number;
}

/**
 * Monthly request counts of one user (`idFromName(userId)`). The gateway asks once per request, and the check and
 * the increment happen in that one call: a Durable Object runs one call at a time, so parallel requests can never
 * both take the last unit. Months are named by the caller (`YYYY-MM`, UTC) so that the period is the gateway's.
 */
export class QuotaCounter extends DurableObject<GatewayEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS usage (month TEXT PRIMARY KEY, count INTEGER NOT NULL)');
  }

  /** Counts one request in `month` if fewer than `limit` have been counted; a refused request is not counted. */
  consume(month: string, limit: number): QuotaDecision {
    const row = this.sql.exec<{ count: number }>('SELECT count FROM usage WHERE month = ?', month).toArray()[0];
    const used = row?.count ?? 0;
    if (used >= limit) return { allowed: false, used };
    if (row === undefined) {
      // A new month: earlier ones are read no more. Only earlier: an isolate whose clock lags at the turn of the
      // month must not wipe the month that has begun.
      this.sql.exec('DELETE FROM usage WHERE month < ?', month);
      this.sql.exec('INSERT INTO usage (month, count) VALUES (?, 1)', month);
    } else {
      this.sql.exec('UPDATE usage SET count = count + 1 WHERE month = ?', month);
    }
    return { allowed: true, used: used + 1 };
  }

  /**
   * Counts up to `max` requests at once for a gateway isolate to admit without calling again (a lease): at most a
   * tenth of what is left, and one at a time when little is left, so that the last units are decided here one by
   * one. `used` includes the whole lease; what the isolate does not spend it gives back with `refund`.
   */
  take(month: string, limit: number, max: number): { granted: number; used: number } {
    const used = this.usage(month);
    const available = limit - used;
    if (available <= 0) return { granted: 0, used };
    const granted = Math.min(available, Math.max(1, Math.min(max, Math.floor(available / 10))));
    if (used === 0) {
      this.sql.exec('DELETE FROM usage WHERE month < ?', month);
      this.sql.exec('INSERT OR REPLACE INTO usage (month, count) VALUES (?, ?)', month, granted);
    } else {
      this.sql.exec('UPDATE usage SET count = count + ? WHERE month = ?', granted, month);
    }
    return { granted, used: used + granted };
  }

  /** Gives back leased units an isolate did not spend (never below zero, and only within their month). */
  refund(month: string, count: number): void {
    if (!(count > 0)) return;
    this.sql.exec('UPDATE usage SET count = max(0, count - ?) WHERE month = ?', count, month);
  }

  /** The count of `month` without changing it. */
  usage(month: string): number {
    return this.sql.exec<{ count: number }>('SELECT count FROM usage WHERE month = ?', month).toArray()[0]?.count ?? 0;
  }
}
