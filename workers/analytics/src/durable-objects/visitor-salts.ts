import { DurableObject } from 'cloudflare:workers';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day (`YYYY-MM-DD`) of `ts` (epoch ms). */
export const utcDay = (ts: number) => new Date(ts).toISOString().slice(0, 10);

/**
 * The daily visitor salts (one instance, `idFromName('salts')`). A salt is 32 random bytes made on the first ask for
 * its UTC day and kept in this object's SQLite only: it never leaves the platform, so a visitor id cannot be turned
 * back into an IP and User-Agent. Only today's and yesterday's salts are ever handed out; the alarm at each UTC
 * midnight deletes the rest, so no salt lives past 48 hours and yesterday's visitors become unlinkable for good.
 */
export class VisitorSalts extends DurableObject<AnalyticsEnv> {
  constructor(ctx: DurableObjectState, env: AnalyticsEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS salts (date TEXT PRIMARY KEY, salt BLOB NOT NULL)');
  }

  /**
   * The salt of the UTC day `date`, made on first ask. Two isolates asking at once get the same salt: the object
   * runs one call at a time and `INSERT OR IGNORE` keeps the first. Any day but today and yesterday is refused
   * (null: an error thrown across RPC would lose its meaning).
   */
  async saltFor(date: string): Promise<ArrayBuffer | null> {
    const now = Date.now();
    if (date !== utcDay(now) && date !== utcDay(now - DAY_MS)) return null;
    const sql = this.ctx.storage.sql;
    sql.exec(
      'INSERT OR IGNORE INTO salts (date, salt) VALUES (?, ?)',
      date,
      crypto.getRandomValues(new Uint8Array(32)),
    );
    const row = sql.exec<{ salt: ArrayBuffer }>('SELECT salt FROM salts WHERE date = ?', date).one();
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(nextMidnight(now));
    return row.salt;
  }

  /** Deletes every salt older than yesterday's (past 48 h), then waits for the next UTC midnight. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec('DELETE FROM salts WHERE date < ?', utcDay(now - DAY_MS));
    await this.ctx.storage.setAlarm(nextMidnight(now));
  }
}

function nextMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}
