import { utcDay } from '../durable-objects/visitor-salts.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// Per isolate: once warm, hashing a visitor costs no Durable Object call. At most three days are ever held.
const cache = new Map<string, Promise<ArrayBuffer>>();

/**
 * The UTC day whose salt hashes an event at `ts`: its own day, or yesterday's for an older (batch) event, whose
 * day's salt is already deleted. Such an event is counted as yesterday's visitor, never linked to older ones.
 */
export function saltDayOf(ts: number, now = Date.now()): string {
  return utcDay(Math.max(Math.min(ts, now), now - DAY_MS));
}

/** The salt of the UTC day `date` (today or yesterday), from this isolate's cache or the VisitorSalts object. */
export function saltOf(env: AnalyticsEnv, date: string): Promise<ArrayBuffer> {
  let salt = cache.get(date);
  if (!salt) {
    salt = env.SALTS.getByName('salts')
      .saltFor(date)
      .then((bytes) => {
        if (bytes === null) throw new RangeError(`No salt for ${date}: only today's and yesterday's (UTC) exist.`);
        return bytes;
      });
    // A failed call must not stay cached, or the isolate would fail every event of the day.
    salt.catch(() => cache.delete(date));
    cache.set(date, salt);
    for (const day of cache.keys()) if (cache.size > 3 && day !== date) cache.delete(day);
  }
  return salt;
}
