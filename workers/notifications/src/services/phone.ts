import { AppError } from '@onasis/http';
import { sendNotification } from './send.js';
import { smsAllowed } from './sms-countries.js';

/** How long a texted code works, how many wrong tries it survives, and how often a new one may be texted. */
export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
export const PHONE_CODE_MAX_ATTEMPTS = 5;
export const PHONE_CODE_RESEND_MS = 60 * 1000;

/** A user's SMS number as the API shows it. */
export interface PhoneView {
  phone: string;
  verified: boolean;
}

interface PhoneRow {
  phone: string;
  verified_at: string | null;
}

async function codeHash(userId: string, code: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${userId}:${code}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Six uniformly random digits (rejection sampling: no modulo bias). */
function randomCode(): string {
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const n = buf[0] as number;
    if (n < 4_294_000_000) return String(n % 1_000_000).padStart(6, '0');
  }
}

/** The caller's number, or null. */
export async function phoneOf(db: D1Database, userId: string): Promise<PhoneView | null> {
  const row = await db
    .prepare('SELECT phone, verified_at FROM phone_numbers WHERE user_id = ?')
    .bind(userId)
    .first<Pick<PhoneRow, 'phone' | 'verified_at'>>();
  return row ? { phone: row.phone, verified: row.verified_at !== null } : null;
}

const tooSoon = (waitSeconds: number) =>
  new AppError('RATE_LIMITED', `A code was sent less than a minute ago; try again in ${waitSeconds} s.`, {
    headers: { 'retry-after': String(waitSeconds) },
  });

/**
 * Takes the minute's text slot of the user and of the number, or throws 429. One batch (one transaction): the user's
 * slot is taken only while the number's is free, and the number's only once the user's was taken, so a refused
 * request takes neither; each upsert is conditional on the last text being a minute old, so of racing requests one
 * wins. The slots outlive a removed number, so removing
 * and setting a number again does not text it twice a minute, nor can several accounts take turns on one number.
 */
async function takeTextSlot(db: D1Database, userId: string, phone: string, now: number): Promise<void> {
  const at = new Date(now).toISOString();
  const cutoff = new Date(now - PHONE_CODE_RESEND_MS).toISOString();
  const userKey = `user:${userId}`;
  const phoneKey = `phone:${phone}`;
  const [byUser, byPhone] = await db.batch<{ key: string }>([
    db
      .prepare(
        `INSERT INTO sms_throttle (key, sent_at) SELECT ?1, ?2
         WHERE NOT EXISTS (SELECT 1 FROM sms_throttle WHERE key = ?4 AND sent_at > ?3)
         ON CONFLICT (key) DO UPDATE SET sent_at = ?2 WHERE sms_throttle.sent_at <= ?3 RETURNING key`,
      )
      .bind(userKey, at, cutoff, phoneKey),
    db
      .prepare(
        `INSERT INTO sms_throttle (key, sent_at) SELECT ?1, ?2
         WHERE EXISTS (SELECT 1 FROM sms_throttle WHERE key = ?4 AND sent_at = ?2)
         ON CONFLICT (key) DO UPDATE SET sent_at = ?2 WHERE sms_throttle.sent_at <= ?3 RETURNING key`,
      )
      .bind(phoneKey, at, cutoff, userKey),
  ]);
  if ((byUser?.results.length ?? 0) > 0 && (byPhone?.results.length ?? 0) > 0) return;
  const { results } = await db
    .prepare('SELECT max(sent_at) AS last FROM sms_throttle WHERE key IN (?, ?) AND sent_at > ?')
    .bind(userKey, phoneKey, cutoff)
    .all<{ last: string | null }>();
  const last = results[0]?.last ? Date.parse(results[0].last) : now;
  throw tooSoon(Math.max(1, Math.ceil((last + PHONE_CODE_RESEND_MS - now) / 1000)));
}

/**
 * Sets the user's number and texts it a code; SMS reaches the number only once the code comes back. Setting the
 * number that is already verified changes nothing. A number outside `SMS_ALLOWED_COUNTRIES` is a 400. A new code
 * goes out at most once a minute per user and per number (each text costs money and would let anyone flood a
 * stranger's phone); the slot is taken before the text is queued, so a retry within the minute is refused rather
 * than sending twice.
 */
export async function requestPhoneVerification(
  env: NotificationsEnv,
  userId: string,
  phone: string,
  now = Date.now(),
): Promise<{ view: PhoneView; sent: boolean }> {
  if (!smsAllowed(phone, env.SMS_ALLOWED_COUNTRIES)) {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'phone', message: 'SMS is not offered to this country (SMS_ALLOWED_COUNTRIES).' }],
    });
  }
  const db = env.DB;
  const current = await db
    .prepare('SELECT phone, verified_at FROM phone_numbers WHERE user_id = ?')
    .bind(userId)
    .first<Pick<PhoneRow, 'phone' | 'verified_at'>>();
  if (current?.phone === phone && current.verified_at !== null) return { view: { phone, verified: true }, sent: false };
  await takeTextSlot(db, userId, phone, now);
  const code = randomCode();
  const sentAt = new Date(now).toISOString();
  await db
    .prepare(
      `INSERT INTO phone_numbers (user_id, phone, updated_at, verified_at, code_hash, code_sent_at, code_expires_at, code_attempts)
       VALUES (?1, ?2, ?3, NULL, ?4, ?3, ?5, 0)
       ON CONFLICT (user_id) DO UPDATE SET phone = ?2, updated_at = ?3, verified_at = NULL, code_hash = ?4,
         code_sent_at = ?3, code_expires_at = ?5, code_attempts = 0`,
    )
    .bind(userId, phone, sentAt, await codeHash(userId, code), new Date(now + PHONE_CODE_TTL_MS).toISOString())
    .run();
  const sent = await sendNotification(env, {
    to: phone,
    template: 'notifications.verify-phone',
    data: { code },
    idempotencyKey: `phone-verify:${userId}:${sentAt}`,
  });
  if (!sent.ok) throw new Error(`the verification text was refused: ${sent.error.code}`);
  return { view: { phone, verified: false }, sent: true };
}

/**
 * Checks a texted code. One conditional UPDATE spends it, so a code works once, only before it expires and only while
 * fewer than five wrong codes were tried; a wrong code counts a try.
 */
export async function confirmPhone(env: NotificationsEnv, userId: string, code: string, now = Date.now()) {
  const db = env.DB;
  const at = new Date(now).toISOString();
  const spent = await db
    .prepare(
      `UPDATE phone_numbers SET verified_at = ?1, updated_at = ?1, code_hash = NULL, code_expires_at = NULL
       WHERE user_id = ?2 AND code_hash = ?3 AND code_expires_at > ?1 AND code_attempts < ?4
       RETURNING phone`,
    )
    .bind(at, userId, await codeHash(userId, code), PHONE_CODE_MAX_ATTEMPTS)
    .first<{ phone: string }>();
  if (spent) return { phone: spent.phone, verified: true };
  await db
    .prepare('UPDATE phone_numbers SET code_attempts = code_attempts + 1 WHERE user_id = ? AND code_hash IS NOT NULL')
    .bind(userId)
    .run();
  throw new AppError('INVALID_TOKEN', 'The code is wrong or expired; request a new one after five wrong codes.');
}
