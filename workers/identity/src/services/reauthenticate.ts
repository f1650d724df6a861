import { AppError, requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from './audit.js';
import { verifyPassword } from './password.js';
import { sessionsOf } from './sessions.js';
import { lockedError } from './sign-in-attempt.js';
import { findUserById, type UserRecord } from './users.js';

/** The signed-in caller's account, or 401 when the token outlived it. */
export async function currentUser(c: Context<AppEnv>): Promise<UserRecord> {
  const principal = requirePrincipal(c);
  const user = await findUserById(c.env.DB, principal.userId);
  // The token outlived its account (deleted within the gateway's revocation window).
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
  return user;
}

/**
 * Checks the current password before a sensitive change (accounts without one pass); 401 when wrong, 429 when
 * re-authentication is locked.
 */
export async function confirmPassword(c: Context<AppEnv>, user: UserRecord, given: string | undefined): Promise<void> {
  if (!user.passwordHash) return;
  if (given === undefined)
    throw new AppError('VALIDATION_FAILED', 'currentPassword is required for this change.', {
      errors: [{ path: 'currentPassword', message: 'Required' }],
    });
  // A stolen access token must not become a way to guess the password: re-authentication shares the sign-in
  // lockout, and a locked account is refused before the password is looked at.
  const sessions = sessionsOf(c.env, user.id);
  const lockedUntil = await sessions.lockedUntil();
  if (lockedUntil) {
    await audit(c, {
      action: 'user.reauthenticate',
      outcome: 'failure',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'locked' },
    });
    throw lockedError(lockedUntil);
  }
  const { valid } = await verifyPassword(given, user.passwordHash, c.env.PASSWORD_PEPPER);
  if (!valid) {
    const nowLocked = await sessions.recordFailure();
    await audit(c, {
      action: 'user.reauthenticate',
      outcome: 'failure',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'wrong_password', locked: nowLocked !== null },
    });
    throw new AppError('CURRENT_PASSWORD_INVALID', 'The current password is wrong.');
  }
}
