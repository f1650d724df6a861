import { seal, sealingKey, sha256Hex, unseal } from './crypto.js';
import { type OutboxItem, securityNotice } from './outbox.js';
import { matchTotpStep, newTotpSecret, normaliseTotpCode, otpauthUri } from './totp.js';

/** Which second factor a code proved. */
export type SecondFactor = 'totp' | 'recovery';

/** What a change to a user's MFA tells them in the `identity.mfa-changed` notification. */
export type MfaChange = 'enabled' | 'disabled' | 'recovery_codes_regenerated' | 'recovery_code_used';

/** How many recovery codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Recovery code characters: lower case letters and digits without 0/o, 1/l/i, so a code read aloud survives. */
const RECOVERY_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const RECOVERY_CODE_LENGTH = 10;
const RECOVERY_CODE_SHAPE = new RegExp(`^[${RECOVERY_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);
/** HKDF purpose of the key that seals TOTP secrets. */
const SEALING_PURPOSE = 'onasis/mfa';

type FactorRow = { secret_encrypted: string; confirmed_at: string | null; last_used_step: number };

/** A user's TOTP factor, if any: sealed secret, when it was confirmed (null while pending), last step used. */
export async function loadFactor(db: D1Database, userId: string): Promise<FactorRow | null> {
  return db
    .prepare('SELECT secret_encrypted, confirmed_at, last_used_step FROM mfa_factors WHERE user_id = ?')
    .bind(userId)
    .first<FactorRow>();
}

let cachedKey: { secret: string; key: Promise<CryptoKey> } | null = null;

function mfaKey(env: IdentityEnv): Promise<CryptoKey> {
  if (cachedKey?.secret !== env.KEY_ENCRYPTION_KEY) {
    const key = sealingKey(env.KEY_ENCRYPTION_KEY, SEALING_PURPOSE);
    cachedKey = { secret: env.KEY_ENCRYPTION_KEY, key };
    // A failed derivation (a missing secret) must not stick for the isolate's lifetime.
    key.catch(() => {
      if (cachedKey?.key === key) cachedKey = null;
    });
  }
  return cachedKey.key;
}

/** Seals a TOTP secret for storage, bound to its user. */
export async function sealTotpSecret(env: IdentityEnv, userId: string, secretBase32: string): Promise<string> {
  return seal(secretBase32, userId, await mfaKey(env));
}

/** The base32 TOTP secret sealed by `sealTotpSecret` for `userId`. */
export async function openTotpSecret(env: IdentityEnv, userId: string, sealed: string): Promise<string> {
  return unseal(sealed, userId, await mfaKey(env));
}

/**
 * Starts (or restarts) enrollment: a new secret replaces a pending factor. Null when the user already has a
 * confirmed factor, which only `disable` removes.
 */
export async function enrollFactor(
  env: IdentityEnv,
  userId: string,
  email: string,
): Promise<{ secret: string; otpauthUri: string } | null> {
  const secret = newTotpSecret();
  const sealed = await sealTotpSecret(env, userId, secret);
  // The upsert's WHERE leaves a confirmed factor alone (and returns no row), also against a confirm racing this.
  const row = await env.DB.prepare(
    `INSERT INTO mfa_factors (user_id, secret_encrypted) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = excluded.secret_encrypted, last_used_step = 0,
       created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE mfa_factors.confirmed_at IS NULL
     RETURNING user_id`,
  )
    .bind(userId, sealed)
    .first();
  return row ? { secret, otpauthUri: otpauthUri(secret, email) } : null;
}

/**
 * Spends a TOTP code of the user's factor (`confirmed`, or the `pending` one being confirmed) and returns its time
 * step; null when the code is wrong, or its step is not newer than the last one used. The conditional update is
 * what makes a code single use: of two requests carrying codes of the same step, only one moves `last_used_step`
 * forward. It also requires the secret it checked against, so a factor replaced meanwhile is not touched.
 */
export async function spendTotpCode(
  env: IdentityEnv,
  userId: string,
  code: string,
  state: 'confirmed' | 'pending' = 'confirmed',
): Promise<{ step: number; secretEncrypted: string } | null> {
  if (normaliseTotpCode(code) === null) return null;
  const factor = await loadFactor(env.DB, userId);
  if (!factor || (factor.confirmed_at === null) !== (state === 'pending')) return null;
  const secret = await openTotpSecret(env, userId, factor.secret_encrypted);
  const step = matchTotpStep(secret, code);
  if (step === null || step <= factor.last_used_step) return null;
  const spent = await env.DB.prepare(
    `UPDATE mfa_factors SET last_used_step = ?
     WHERE user_id = ? AND secret_encrypted = ? AND last_used_step < ? AND confirmed_at IS ${state === 'pending' ? '' : 'NOT '}NULL
     RETURNING last_used_step`,
  )
    .bind(step, userId, factor.secret_encrypted, step)
    .first();
  return spent ? { step, secretEncrypted: factor.secret_encrypted } : null;
}

/** A recovery code as stored before hashing (lower case, no separators), or null when it cannot be one. */
export function normaliseRecoveryCode(code: string): string | null {
  const bare = code.replace(/[\s-]+/g, '').toLowerCase();
  return RECOVERY_CODE_SHAPE.test(bare) ? bare : null;
}

/** What is stored of a recovery code: the hex SHA-256 of its normal form. */
export async function hashRecoveryCode(code: string): Promise<string> {
  return sha256Hex(normaliseRecoveryCode(code) ?? code);
}

/** Spends an unused recovery code of a user with a confirmed factor; false when there is no such code. */
export async function spendRecoveryCode(db: D1Database, userId: string, code: string): Promise<boolean> {
  const normal = normaliseRecoveryCode(code);
  if (normal === null) return false;
  const spent = await db
    .prepare(
      `UPDATE mfa_recovery_codes SET used_at = ?
       WHERE user_id = ? AND code_hash = ? AND used_at IS NULL
         AND EXISTS (SELECT 1 FROM mfa_factors WHERE user_id = ? AND confirmed_at IS NOT NULL)
       RETURNING code_hash`,
    )
    .bind(new Date().toISOString(), userId, await sha256Hex(normal), userId)
    .first();
  return spent !== null;
}

/** How many unused recovery codes the user has left. */
export async function remainingRecoveryCodes(db: D1Database, userId: string): Promise<number> {
  const row = await db
    .prepare('SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL')
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Checks and spends a second factor of a user with confirmed MFA: a current TOTP code (once per time step) or an
 * unused recovery code (once). Returns which one it was, or null when `code` is neither.
 */
export async function verifySecondFactor(env: IdentityEnv, userId: string, code: string): Promise<SecondFactor | null> {
  if (normaliseTotpCode(code) !== null) return (await spendTotpCode(env, userId, code)) ? 'totp' : null;
  if (normaliseRecoveryCode(code) !== null) return (await spendRecoveryCode(env.DB, userId, code)) ? 'recovery' : null;
  return null;
}

function randomRecoveryCode(): string {
  let out = '';
  while (out.length < RECOVERY_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      // Rejection sampling keeps every character equally likely: 248 = 8 × 31.
      if (byte >= 248 || out.length === RECOVERY_CODE_LENGTH) continue;
      out += RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length];
    }
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** A new set of recovery codes as shown to the user (`xxxxx-xxxxx`), and their hashes as stored. */
export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomRecoveryCode);
  return { codes, hashes: await Promise.all(codes.map(hashRecoveryCode)) };
}

/** Inserts `hashes` as the user's recovery codes, only while `guard` (an SQL condition with `guardArgs`) holds. */
function insertRecoveryCodes(
  db: D1Database,
  userId: string,
  hashes: string[],
  guard: string,
  guardArgs: unknown[],
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT ?, value FROM json_each(?) WHERE EXISTS (${guard})`,
    )
    .bind(userId, JSON.stringify(hashes), ...guardArgs);
}

/** The outbox row that tells the user their MFA changed; it goes into the batch that makes the change. */
export function mfaChangedNotice(
  db: D1Database,
  userId: string,
  change: MfaChange,
  data: Record<string, unknown> = {},
): OutboxItem {
  return securityNotice(db, { to: userId, template: 'identity.mfa-changed', data: { change, ...data } });
}

/** Drops an outbox row whose batch turned out to change nothing. */
function dropNotice(db: D1Database, notice: OutboxItem): Promise<unknown> {
  return db.prepare('DELETE FROM outbox WHERE id = ?').bind(notice.id).run();
}

export type ConfirmResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: 'not_enabled' | 'already_enabled' | 'invalid_code' };

/**
 * Confirms the pending factor with its first code: spends the code, then in one batch marks the factor confirmed,
 * stores the hashes of a new set of recovery codes and queues `notice`. The batch only acts while the factor is
 * still the one whose code this request spent, so a racing confirm or re-enroll cannot mix two outcomes.
 */
export async function confirmFactor(
  env: IdentityEnv,
  userId: string,
  code: string,
  notice: OutboxItem,
): Promise<ConfirmResult> {
  const factor = await loadFactor(env.DB, userId);
  if (!factor) return { ok: false, reason: 'not_enabled' };
  if (factor.confirmed_at !== null) return { ok: false, reason: 'already_enabled' };
  const spent = await spendTotpCode(env, userId, code, 'pending');
  if (!spent) return { ok: false, reason: 'invalid_code' };
  const { codes, hashes } = await newRecoveryCodes();
  const confirmedAt = new Date().toISOString();
  const mine = 'SELECT 1 FROM mfa_factors WHERE user_id = ? AND confirmed_at = ? AND last_used_step = ?';
  const mineArgs = [userId, confirmedAt, spent.step];
  const [confirmed] = await env.DB.batch([
    env.DB.prepare(
      `UPDATE mfa_factors SET confirmed_at = ?
       WHERE user_id = ? AND confirmed_at IS NULL AND secret_encrypted = ? AND last_used_step = ?
       RETURNING user_id`,
    ).bind(confirmedAt, userId, spent.secretEncrypted, spent.step),
    env.DB.prepare(`DELETE FROM mfa_recovery_codes WHERE user_id = ? AND EXISTS (${mine})`).bind(userId, ...mineArgs),
    insertRecoveryCodes(env.DB, userId, hashes, mine, mineArgs),
    notice.statement,
  ]);
  if (!confirmed?.results.length) {
    await dropNotice(env.DB, notice);
    const now = await loadFactor(env.DB, userId);
    return { ok: false, reason: now?.confirmed_at ? 'already_enabled' : 'not_enabled' };
  }
  return { ok: true, recoveryCodes: codes };
}

/** Removes the factor and every recovery code, queueing `notice`; false when there was no factor left to remove. */
export async function removeFactor(db: D1Database, userId: string, notice: OutboxItem): Promise<boolean> {
  const [removed] = await db.batch([
    db.prepare('DELETE FROM mfa_factors WHERE user_id = ? RETURNING user_id').bind(userId),
    db.prepare('DELETE FROM mfa_recovery_codes WHERE user_id = ?').bind(userId),
    notice.statement,
  ]);
  if (removed?.results.length) return true;
  await dropNotice(db, notice);
  return false;
}

/**
 * Replaces the user's recovery codes with a new set and queues `notice`; null when the user has no confirmed
 * factor (any more), in which case nothing changes.
 */
export async function replaceRecoveryCodes(
  db: D1Database,
  userId: string,
  notice: OutboxItem,
): Promise<string[] | null> {
  const { codes, hashes } = await newRecoveryCodes();
  const enabled = 'SELECT 1 FROM mfa_factors WHERE user_id = ? AND confirmed_at IS NOT NULL';
  const [, inserted] = await db.batch([
    db.prepare(`DELETE FROM mfa_recovery_codes WHERE user_id = ? AND EXISTS (${enabled})`).bind(userId, userId),
    insertRecoveryCodes(db, userId, hashes, enabled, [userId]),
    notice.statement,
  ]);
  if (inserted?.meta.changes) return codes;
  await dropNotice(db, notice);
  return null;
}
