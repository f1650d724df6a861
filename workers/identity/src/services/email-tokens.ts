import { randomSecret, sha256Hex } from './crypto.js';

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

/** How long each kind of emailed token can be used. */
export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600 * 1000,
  change_email: 24 * 3600 * 1000,
  reset_password: 3600 * 1000,
};

/** A fresh token (to email) and the statement that stores its hash. */
export async function newEmailToken(
  db: D1Database,
  purpose: EmailTokenPurpose,
  userId: string,
  email: string,
): Promise<{ token: string; statement: D1PreparedStatement }> {
  const token = randomSecret(32);
  const expiresAt = new Date(Date.now() + EMAIL_TOKEN_TTL_MS[purpose]).toISOString();
  return {
    token,
    statement: db
      .prepare('INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES (?, ?, ?, ?, ?)')
      .bind(await sha256Hex(token), userId, purpose, email, expiresAt),
  };
}

/**
 * Spends a token of one of `purposes`: the check and the spending are one statement, so of two concurrent uses
 * only one gets the row. Null when the token is unknown, used, expired or of another purpose.
 */
export async function spendEmailToken(
  db: D1Database,
  token: string,
  purposes: EmailTokenPurpose[],
): Promise<{ userId: string; purpose: EmailTokenPurpose; email: string } | null> {
  if (token.length < 32 || token.length > 128) return null;
  const now = new Date().toISOString();
  const row = await db
    .prepare(
      `UPDATE email_tokens SET used_at = ?1
       WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1 AND purpose IN (${purposes.map(() => '?').join(', ')})
       RETURNING user_id, purpose, email`,
    )
    .bind(now, await sha256Hex(token), ...purposes)
    .first<{ user_id: string; purpose: EmailTokenPurpose; email: string }>();
  return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : null;
}

/** Statement that voids every unused token of `purpose` for a user, so that only the newest one works. */
export function voidEmailTokens(db: D1Database, userId: string, purpose: EmailTokenPurpose): D1PreparedStatement {
  return db
    .prepare('UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL')
    .bind(new Date().toISOString(), userId, purpose);
}
