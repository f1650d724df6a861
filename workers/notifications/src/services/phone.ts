import { AppError } from '@onasis/http';
import { sendNotification } from './send.js';

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
  code_sent_at: string | null;
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

/**
 * Sets the user's number and texts it a code; SMS reaches the number only once the code comes back. Setting the
 * number that is already verified changes nothing. A new code goes out at most once a minute per user (each text
 * costs money and would let anyone flood a stranger's phone); the code's row is written before the text is queued, so
 * a retry within the minute is refused rather than sending twice.
 */
export async function requestPhoneVerification(
  env: NotificationsEnv,
  userId: string,
  phone: string,
  now = Date.now(),
): Promise<{ view: PhoneView; sent: boolean }> {
  const db = env.DB;
  const current = await db
    .prepare('SELECT phone, verified_at, code_sent_at FROM phone_numbers WHERE user_id = ?')
    .bind(userId)
    .first<PhoneRow>();
  if (current?.phone === phone && current.verified_at !== null) return { view: { phone, verified: true }, sent: false };
  const lastSent = current?.code_sent_at ? Date.parse(current.code_sent_at) : 0;
  if (now - lastSent < PHONE_CODE_RESEND_MS) {
    const wait = Math.ceil((lastSent + PHONE_CODE_RESEND_MS - now) / 1000);
    throw new AppError('RATE_LIMITED', `A code was sent less than a minute ago; try again in ${wait} s.`, {
      headers: { 'retry-after': String(wait) },
    });
  }
  const code = randomCode();
  const sentAt = new Date(now).toISOString();
  // Conditional on the code this request saw, so two racing requests cannot both pass the once-a-minute check.
  const { meta } = await db
    .prepare(
      `INSERT INTO phone_numbers (user_id, phone, updated_at, verified_at, code_hash, code_sent_at, code_expires_at, code_attempts)
       VALUES (?1, ?2, ?3, NULL, ?4, ?3, ?5, 0)
       ON CONFLICT (user_id) DO UPDATE SET phone = ?2, updated_at = ?3, verified_at = NULL, code_hash = ?4,
         code_sent_at = ?3, code_expires_at = ?5, code_attempts = 0
       WHERE phone_numbers.code_sent_at IS ?6`,
    )
    .bind(
      userId,
      phone,
      sentAt,
      await codeHash(userId, code),
      new Date(now + PHONE_CODE_TTL_MS).toISOString(),
      current?.code_sent_at ?? null,
    )
    .run();
  if (meta.changes === 0) {
    throw new AppError('RATE_LIMITED', 'A code was just sent; try again in a minute.', {
      headers: { 'retry-after': String(PHONE_CODE_RESEND_MS / 1000) },
    });
  }
  const sent = await sendNotification(env, {
    to: phone,
    template: 'notifications.verify-phone',
    data: { code },
    idempotencyKey: `phone-verify:${userId}:${sentAt}`,
  });
  if (!sent.ok) throw new Error(`the verification text was refused: ${sent.error.detail}`);
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
