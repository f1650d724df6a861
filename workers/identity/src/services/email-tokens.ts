import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { emailTokens } from '../db/schema.js';
import { randomSecret, sha256Hex } from './crypto.js';

/** What an emailed token proves: the address of a new account, of an email change, or a password reset. */
type EmailTokenPurpose = (typeof emailTokens.$inferSelect)['purpose'];

/** How long each kind of emailed token can be used. */
const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600 * 1000,
  change_email: 24 * 3600 * 1000,
  reset_password: 3600 * 1000,
};

/** A fresh token (to email) and the statement that stores its hash, for the batch of the change that sends it. */
export async function newEmailToken(db: D1Database, purpose: EmailTokenPurpose, userId: string, email: string) {
  const token = randomSecret(32);
  const expiresAt = new Date(Date.now() + EMAIL_TOKEN_TTL_MS[purpose]).toISOString();
  const tokenHash = await sha256Hex(token);
  return { token, statement: dbOf(db).insert(emailTokens).values({ tokenHash, userId, purpose, email, expiresAt }) };
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
  const row = await dbOf(db)
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, await sha256Hex(token)),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
        inArray(emailTokens.purpose, purposes),
      ),
    )
    .returning({ userId: emailTokens.userId, purpose: emailTokens.purpose, email: emailTokens.email })
    .get();
  return row ?? null;
}

/** Statement that voids every unused token of `purpose` for a user, so that only the newest one works. */
export function voidEmailTokens(db: D1Database, userId: string, purpose: EmailTokenPurpose) {
  return dbOf(db)
    .update(emailTokens)
    .set({ usedAt: new Date().toISOString() })
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
}
