import { randomSecret, sha256Hex } from '../services/crypto.js';

/** How long an MFA challenge issued after a correct password can be answered, and how many wrong codes it takes. */
export const MFA_CHALLENGE_MS = 5 * 60 * 1000;
const MFA_CHALLENGE_ATTEMPTS = 5;

/** Stores a new MFA challenge for a sign-in whose password was right; returns its secret. */
export async function insertMfaChallenge(sql: SqlStorage, method: string): Promise<string> {
  const secret = randomSecret(32);
  sql.exec(
    'INSERT INTO mfa_challenges (hash, expires_at, method) VALUES (?, ?, ?)',
    await sha256Hex(secret),
    Date.now() + MFA_CHALLENGE_MS,
    method,
  );
  return secret;
}

/** The live MFA challenge of `secret`; null when unknown, expired or out of attempts. */
export async function liveMfaChallenge(sql: SqlStorage, secret: string): Promise<{ method: string } | null> {
  const hash = await sha256Hex(secret);
  const row = sql
    .exec<{ method: string; expires_at: number; attempts: number }>(
      'SELECT method, expires_at, attempts FROM mfa_challenges WHERE hash = ?',
      hash,
    )
    .toArray()[0];
  if (!row || row.expires_at <= Date.now() || row.attempts >= MFA_CHALLENGE_ATTEMPTS) return null;
  return { method: row.method };
}

/** Spends the challenge of `hash`; false when another request spent it first. */
export function spendMfaChallenge(sql: SqlStorage, hash: string): boolean {
  return sql.exec('DELETE FROM mfa_challenges WHERE hash = ? RETURNING hash', hash).toArray().length > 0;
}

/** Uses one attempt of the challenge of `hash` (a wrong code). */
export function useMfaAttempt(sql: SqlStorage, hash: string): void {
  sql.exec('UPDATE mfa_challenges SET attempts = attempts + 1 WHERE hash = ?', hash);
}

/** Drops every pending challenge (all sessions were revoked). */
export function dropMfaChallenges(sql: SqlStorage): void {
  sql.exec('DELETE FROM mfa_challenges');
}
