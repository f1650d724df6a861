import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';
import { type Claim, claimOf } from './account-claim.js';
import { type OutboxItem, securityNotice } from './outbox.js';
import { isUniqueViolation } from './unique-violation.js';

/**
 * Marks `email` verified for `userId`, only while it is still the account's address: after an email change the old
 * link proves nothing. The first proof claims the account: keys made before it go, in the same batch.
 */
export async function proveAddress(
  d1: D1Database,
  userId: string,
  email: string,
  now: string,
): Promise<{ claim: Claim; outcome: ReturnType<Claim['outcome']> }> {
  const db = dbOf(d1);
  const claim = claimOf(d1, userId, now, email);
  const results = await db.batch([
    ...claim.statements,
    db
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
      .where(and(eq(users.id, userId), eq(users.email, email))),
  ]);
  return { claim, outcome: claim.outcome(results, 0) };
}

/**
 * Moves `userId` to the new address its link proved, with a notice to the old one in the same batch. 409 when
 * another account took the address in the meantime.
 */
export async function changeAddress(
  d1: D1Database,
  user: { id: string; email: string },
  newEmail: string,
  now: string,
): Promise<OutboxItem> {
  const db = dbOf(d1);
  const notice = securityNotice(d1, {
    to: user.id,
    toAddress: user.email,
    template: 'identity.email-changed',
    data: { oldEmail: user.email, newEmail },
  });
  try {
    await db.batch([
      db.update(users).set({ email: newEmail, emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, user.id)),
      notice.statement,
    ]);
  } catch (err) {
    if (isUniqueViolation(err, 'users.email'))
      throw new AppError('EMAIL_TAKEN', 'Another account took this email address in the meantime.');
    throw err;
  }
  return notice;
}
