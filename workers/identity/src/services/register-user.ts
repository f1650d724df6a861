import { newId } from '@onasis/contracts';
import { dbOf } from '../db/client.js';
import { userRoles, users } from '../db/schema.js';
import { linkTo } from './app-links.js';
import { newEmailToken } from './email-tokens.js';
import { dispatchOutbox, type OutboxItem, securityNotice } from './outbox.js';
import { hashPassword } from './password.js';
import { userRegistered } from './platform-events.js';
import { chargeSend, recipientLimit } from './send-limits.js';
import { isUniqueViolation } from './unique-violation.js';
import { findUserByEmail } from './users.js';

/**
 * Creates an unverified member with its verification token and email, or answers `taken` when the address has an
 * account: either way after the same password-hashing work, so timing does not tell them apart.
 */
export async function registerUser(
  env: IdentityEnv,
  input: { email: string; password: string; name: string | null },
): Promise<{ outcome: 'created'; userId: string; outbox: OutboxItem[] } | { outcome: 'taken' }> {
  const id = newId('usr');
  // Hashed before the address is looked at, so that a taken address costs the same work as a new one.
  const passwordHash = await hashPassword(input.password, env.PASSWORD_PEPPER);
  const verification = await newEmailToken(env.DB, 'verify_email', id, input.email);
  const notice = securityNotice(env.DB, {
    to: id,
    template: 'identity.verify-email',
    data: { name: input.name, token: verification.token, url: linkTo(env, 'verify-email', verification.token) },
  });
  const signup = userRegistered(env.DB, id, 'password');
  const db = dbOf(env.DB);
  try {
    // One batch, so the account never exists without its role, its token, its verification message and its
    // `user.registered` event.
    await db.batch([
      db.insert(users).values({ id, email: input.email, name: input.name, passwordHash }),
      db.insert(userRoles).values({ userId: id, role: 'member' }),
      verification.statement,
      notice.statement,
      signup.statement,
    ]);
  } catch (err) {
    if (!isUniqueViolation(err, 'users.email')) throw err;
    return { outcome: 'taken' };
  }
  return { outcome: 'created', userId: id, outbox: [notice, signup] };
}

/**
 * Tells the owner of `email` that someone tried to register with it, at most PER_RECIPIENT_SENDS times an hour; over
 * that nothing is sent, and nothing says so (register answers the same either way).
 */
export async function noticeRegisterAttempt(env: IdentityEnv, email: string): Promise<void> {
  const owner = await findUserByEmail(env.DB, email);
  if (owner?.status !== 'active') return;
  if (await chargeSend(env.DB, [await recipientLimit(owner.email)])) return;
  const notice = securityNotice(env.DB, {
    to: owner.id,
    template: 'identity.register-attempt',
    locale: owner.locale,
    data: { name: owner.name, url: `${env.APP_URL.replace(/\/$/, '')}/forgot-password` },
  });
  await notice.statement.run();
  await dispatchOutbox(env, [notice]);
}
