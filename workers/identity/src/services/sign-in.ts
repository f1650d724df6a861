import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from './audit.js';
import { hashPassword, verifyPassword } from './password.js';
import { sessionsOf, startSession, type TokenPair, unknownEmailThrottle } from './sessions.js';
import { attemptSourceOf, decoy, lockedError, originOf, trustThisDevice } from './sign-in-attempt.js';
import { formatRefreshToken } from './tokens.js';
import { findUserByEmail, normaliseEmail, upgradePasswordHash } from './users.js';

/**
 * Signs in with email and password: the first tokens of a new session, or the token of an MFA challenge when the
 * account has a second factor. Failures are audited and counted toward the lockout of the caller's network.
 */
export async function signInWithPassword(
  c: Context<AppEnv>,
  input: { email: string; password: string },
): Promise<{ tokens: TokenPair } | { mfaToken: string }> {
  const { email, password } = input;
  const env = c.env;
  const user = await findUserByEmail(env.DB, email);
  // Unknown emails are counted and delayed exactly like accounts (in an object of their own), so that neither the
  // answer, a 429, nor the work done tells whether an address has an account.
  const sessions = user ? sessionsOf(env, user.id) : await unknownEmailThrottle(env, email);
  const source = attemptSourceOf(c);
  const lockedUntil = await sessions.lockedUntil(source);
  if (lockedUntil) {
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id ?? null,
      data: { reason: 'locked', ...(user ? {} : { email: normaliseEmail(email) }) },
    });
    throw lockedError(lockedUntil);
  }
  const check = await verifyPassword(
    password,
    user?.passwordHash ?? (await decoy(env.PASSWORD_PEPPER)),
    env.PASSWORD_PEPPER,
  );
  if (!user?.passwordHash || !check.valid) {
    const nowLocked = await sessions.recordFailure(source);
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id ?? null,
      data: user?.passwordHash
        ? { reason: 'wrong_password', locked: nowLocked !== null }
        : { reason: user ? 'no_password' : 'unknown_email', email: normaliseEmail(email) },
    });
    throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
  }
  if (user.status !== 'active') {
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'disabled' },
    });
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled.');
  }
  if (check.needsRehash) {
    const oldHash = user.passwordHash;
    c.executionCtx.waitUntil(
      hashPassword(password, env.PASSWORD_PEPPER).then((hash) => upgradePasswordHash(env.DB, user.id, oldHash, hash)),
    );
  }
  if (user.mfaEnabled) {
    const secret = await sessions.createMfaChallenge('password');
    await audit(c, { action: 'user.login_mfa_challenge', actorId: user.id, targetType: 'user', targetId: user.id });
    return { mfaToken: formatRefreshToken(user.id, secret) };
  }
  const tokens = await startSession(env, user.id, originOf(c, 'password'), c.executionCtx);
  await trustThisDevice(c, sessions, source);
  await audit(c, {
    action: 'user.login',
    actorId: user.id,
    targetType: 'user',
    targetId: user.id,
    data: { method: 'password' },
  });
  return { tokens };
}
