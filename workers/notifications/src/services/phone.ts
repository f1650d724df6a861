import { AppError } from '@onasis/http';
import { and, eq, gt, inArray, isNotNull, lt, max, sql } from 'drizzle-orm';
import { type Db, dbOf } from '../db/client.js';
import { phoneNumbers, smsThrottle } from '../db/schema.js';
import { sendNotification } from './send.js';
import { smsAllowed } from './sms-countries.js';

/** How long a texted code works, how many wrong tries it survives, and how often a new one may be texted. */
const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
const PHONE_CODE_MAX_ATTEMPTS = 5;
export const PHONE_CODE_RESEND_MS = 60 * 1000;

/** A user's SMS number as the API shows it. */
export interface PhoneView {
  phone: string;
  verified: boolean;
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

/** The user's number, or null. */
export async function phoneOf(db: Db, userId: string): Promise<PhoneView | null> {
  const [row] = await db
    .select({ phone: phoneNumbers.phone, verifiedAt: phoneNumbers.verifiedAt })
    .from(phoneNumbers)
    .where(eq(phoneNumbers.userId, userId));
  return row ? { phone: row.phone, verified: row.verifiedAt !== null } : null;
}

/** Removes the caller's number with any pending code; removing none is no error. */
export async function removePhone(db: Db, userId: string): Promise<void> {
  await db.delete(phoneNumbers).where(eq(phoneNumbers.userId, userId));
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
async function takeTextSlot(db: Db, userId: string, phone: string, now: number): Promise<void> {
  const at = new Date(now).toISOString();
  const cutoff = new Date(now - PHONE_CODE_RESEND_MS).toISOString();
  const userKey = `user:${userId}`;
  const phoneKey = `phone:${phone}`;
  // Raw SQL: INSERT … SELECT of constants guarded by another key's row, which drizzle cannot build; and drizzle's
  // `sql` statements cannot join a D1 batch, so these two are D1 statements.
  const d1 = db.$client;
  const [byUser, byPhone] = await d1.batch<{ key: string }>([
    d1
      .prepare(
        `INSERT INTO sms_throttle (key, sent_at) SELECT ?1, ?2
         WHERE NOT EXISTS (SELECT 1 FROM sms_throttle WHERE key = ?4 AND sent_at > ?3)
         ON CONFLICT (key) DO UPDATE SET sent_at = ?2 WHERE sms_throttle.sent_at <= ?3 RETURNING key`,
      )
      .bind(userKey, at, cutoff, phoneKey),
    d1
      .prepare(
        `INSERT INTO sms_throttle (key, sent_at) SELECT ?1, ?2
         WHERE EXISTS (SELECT 1 FROM sms_throttle WHERE key = ?4 AND sent_at = ?2)
         ON CONFLICT (key) DO UPDATE SET sent_at = ?2 WHERE sms_throttle.sent_at <= ?3 RETURNING key`,
      )
      .bind(phoneKey, at, cutoff, userKey),
  ]);
  if ((byUser?.results.length ?? 0) > 0 && (byPhone?.results.length ?? 0) > 0) return;
  const [latest] = await db
    .select({ last: max(smsThrottle.sentAt) })
    .from(smsThrottle)
    .where(and(inArray(smsThrottle.key, [userKey, phoneKey]), gt(smsThrottle.sentAt, cutoff)));
  const last = latest?.last ? Date.parse(latest.last) : now;
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
  const db = dbOf(env.DB);
  const current = await phoneOf(db, userId);
  if (current?.phone === phone && current.verified) return { view: current, sent: false };
  await takeTextSlot(db, userId, phone, now);
  const code = randomCode();
  const sentAt = new Date(now).toISOString();
  const pending = {
    phone,
    updatedAt: sentAt,
    verifiedAt: null,
    codeHash: await codeHash(userId, code),
    codeSentAt: sentAt,
    codeExpiresAt: new Date(now + PHONE_CODE_TTL_MS).toISOString(),
    codeAttempts: 0,
  };
  await db
    .insert(phoneNumbers)
    .values({ userId, ...pending })
    .onConflictDoUpdate({ target: phoneNumbers.userId, set: pending });
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
  const db = dbOf(env.DB);
  const at = new Date(now).toISOString();
  const [spent] = await db
    .update(phoneNumbers)
    .set({ verifiedAt: at, updatedAt: at, codeHash: null, codeExpiresAt: null })
    .where(
      and(
        eq(phoneNumbers.userId, userId),
        eq(phoneNumbers.codeHash, await codeHash(userId, code)),
        gt(phoneNumbers.codeExpiresAt, at),
        lt(phoneNumbers.codeAttempts, PHONE_CODE_MAX_ATTEMPTS),
      ),
    )
    .returning({ phone: phoneNumbers.phone });
  if (spent) return { phone: spent.phone, verified: true };
  await db
    .update(phoneNumbers)
    .set({ codeAttempts: sql`${phoneNumbers.codeAttempts} + 1` })
    .where(and(eq(phoneNumbers.userId, userId), isNotNull(phoneNumbers.codeHash)));
  throw new AppError('INVALID_TOKEN', 'The code is wrong or expired; request a new one after five wrong codes.');
}
