import { eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';
import { type Claim, claimOf } from './account-claim.js';
import { hashPassword } from './password.js';

/**
 * Sets the new password of `userId`. Receiving the reset email proves control of the address, so the address
 * counts as verified from here on; when it was not yet, the reset claims the account and the keys made before go
 * in the same batch.
 */
export async function setResetPassword(
  env: IdentityEnv,
  userId: string,
  password: string,
): Promise<{ claim: Claim; outcome: ReturnType<Claim['outcome']> }> {
  const now = new Date().toISOString();
  const passwordHash = await hashPassword(password, env.PASSWORD_PEPPER);
  const db = dbOf(env.DB);
  const claim = claimOf(env.DB, userId, now);
  const results = await db.batch([
    ...claim.statements,
    db
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})`, updatedAt: now })
      .where(eq(users.id, userId)),
  ]);
  return { claim, outcome: claim.outcome(results, 0) };
}
