import { AppError } from '@onasis/http';
import { inArray, lte, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { sendLimits } from '../db/schema.js';
import { sha256Hex } from './crypto.js';

/** The window every send limit counts in. */
export const SEND_WINDOW_MS = 60 * 60 * 1000;
/** Mails identity sends to one address per window on callers' requests, whoever asks. */
export const PER_RECIPIENT_SENDS = 5;
/** Mails one signed-in user may ask for per window (verification resends and email changes together). */
const PER_USER_SENDS = 10;
/** Ended windows deleted with each count, so that the table stays about as large as one window's senders. */
const SWEEP_BATCH = 20;

/** One counter to charge: its key and how many the window allows. */
interface SendLimit {
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
  d1: D1Database,
  limits: readonly SendLimit[],
  now = Date.now(),
): Promise<{ retryAfterSeconds: number } | null> {
  const windowEndedBefore = now - SEND_WINDOW_MS;
  const db = dbOf(d1);
  const ended = db
    .select({ key: sendLimits.key })
    .from(sendLimits)
    .where(lte(sendLimits.windowStart, windowEndedBefore))
    .orderBy(sendLimits.windowStart)
    .limit(SWEEP_BATCH);
  const restarts = sql`${sendLimits.windowStart} <= ${windowEndedBefore}`;
  const results = await db.batch([
    db.delete(sendLimits).where(inArray(sendLimits.key, ended)),
    ...limits.map((limit) =>
      db
        .insert(sendLimits)
        .values({ key: limit.key, windowStart: now, count: 1 })
        .onConflictDoUpdate({
          target: sendLimits.key,
          set: {
            count: sql`CASE WHEN ${restarts} THEN 1 ELSE ${sendLimits.count} + 1 END`,
            windowStart: sql`CASE WHEN ${restarts} THEN ${now} ELSE ${sendLimits.windowStart} END`,
          },
          setWhere: sql`${restarts} OR ${sendLimits.count} < ${limit.limit}`,
        })
        .returning({ key: sendLimits.key }),
    ),
    db
      .select()
      .from(sendLimits)
      .where(
        inArray(
          sendLimits.key,
          limits.map((l) => l.key),
        ),
      ),
  ]);
  const charged = results.slice(1, 1 + limits.length) as { key: string }[][];
  const refused = limits.filter((_, i) => (charged[i]?.length ?? 0) === 0);
  if (refused.length === 0) return null;
  const current = (results[results.length - 1] ?? []) as (typeof sendLimits.$inferSelect)[];
  const ends = refused.map((l) => (current.find((r) => r.key === l.key)?.windowStart ?? now) + SEND_WINDOW_MS);
  return { retryAfterSeconds: Math.max(1, Math.ceil((Math.max(...ends) - now) / 1000)) };
}

/** The 429 of a send over its limit, with Retry-After. */
function sendLimited(retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMITED', `Too many emails were requested; try again in ${retryAfterSeconds} seconds.`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** Charges the counters and throws the 429 when one is full. */
export async function assertSendAllowed(db: D1Database, limits: readonly SendLimit[]): Promise<void> {
  const refused = await chargeSend(db, limits);
  if (refused) throw sendLimited(refused.retryAfterSeconds);
}
