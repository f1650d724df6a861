import { AppError } from '@onasis/http';
import { sha256Hex } from './crypto.js';

/** The window every send limit counts in. */
export const SEND_WINDOW_MS = 60 * 60 * 1000;
/** Mails identity sends to one address per window on callers' requests, whoever asks. */
export const PER_RECIPIENT_SENDS = 5;
/** Mails one signed-in user may ask for per window (verification resends and email changes together). */
export const PER_USER_SENDS = 10;
/** Ended windows deleted with each count, so that the table stays about as large as one window's senders. */
const SWEEP_BATCH = 20;

/** One counter to charge: its key and how many the window allows. */
export interface SendLimit {
  key: string;
  limit: number;
}

/** The counter of mail to `address` (stored hashed: the table must not become a list of addresses). */
export async function recipientLimit(address: string): Promise<SendLimit> {
  return { key: `to:${await sha256Hex(address.trim().toLowerCase())}`, limit: PER_RECIPIENT_SENDS };
}

/** The counter of mail that `userId` asks for. */
export function userLimit(userId: string): SendLimit {
  return { key: `user:${userId}`, limit: PER_USER_SENDS };
}

/**
 * Charges one send to each counter: in a D1 batch, each an upsert that counts only while its window has room, so two
 * concurrent requests cannot both take the last place. Every counter is charged even when another refuses: attempts
 * count, not sends. Null when all allow it, else the seconds until the fullest counter's window ends.
 *
 * D1 rather than the user's Durable Object: a recipient is often no user (an email change's new address), and the
 * counts must be shared by everyone who mails that address. These sends are rare, so the writes cost nothing that
 * matters.
 */
export async function chargeSend(
  db: D1Database,
  limits: readonly SendLimit[],
  now = Date.now(),
): Promise<{ retryAfterSeconds: number } | null> {
  const windowEndedBefore = now - SEND_WINDOW_MS;
  const results = await db.batch<{ key: string; window_start: number; count: number }>([
    db
      .prepare(
        'DELETE FROM send_limits WHERE key IN (SELECT key FROM send_limits WHERE window_start <= ? ORDER BY window_start LIMIT ?)',
      )
      .bind(windowEndedBefore, SWEEP_BATCH),
    ...limits.map((limit) =>
      db
        .prepare(
          `INSERT INTO send_limits (key, window_start, count) VALUES (?1, ?2, 1)
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN window_start <= ?3 THEN 1 ELSE count + 1 END,
             window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END
           WHERE window_start <= ?3 OR count < ?4
           RETURNING key, window_start, count`,
        )
        .bind(limit.key, now, windowEndedBefore, limit.limit),
    ),
    db
      .prepare('SELECT key, window_start, count FROM send_limits WHERE key IN (SELECT value FROM json_each(?))')
      .bind(JSON.stringify(limits.map((l) => l.key))),
  ]);
  const refused = limits.filter((_, i) => (results[i + 1]?.results.length ?? 0) === 0);
  if (refused.length === 0) return null;
  const current = results[results.length - 1]?.results ?? [];
  const ends = refused.map((l) => (current.find((r) => r.key === l.key)?.window_start ?? now) + SEND_WINDOW_MS);
  return { retryAfterSeconds: Math.max(1, Math.ceil((Math.max(...ends) - now) / 1000)) };
}

/** The 429 of a send over its limit, with Retry-After. */
export function sendLimited(retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMITED', `Too many emails were requested; try again in ${retryAfterSeconds} seconds.`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** Charges the counters and throws the 429 when one is full. */
export async function assertSendAllowed(db: D1Database, limits: readonly SendLimit[]): Promise<void> {
  const refused = await chargeSend(db, limits);
  if (refused) throw sendLimited(refused.retryAfterSeconds);
}
