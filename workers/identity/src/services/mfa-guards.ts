import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from './audit.js';
import { dispatchOutbox, type OutboxItem } from './outbox.js';
import { sessionsOf } from './sessions.js';
import { lockedError } from './sign-in-attempt.js';

/** 401 for a wrong, expired or spent code. */
export const wrongCode = () => new AppError('INVALID_MFA_CODE', 'The code is wrong, expired or already used.');
/** 409 when the user has no confirmed factor. */
export const notEnabled = () => new AppError('MFA_NOT_ENABLED', 'Multi-factor authentication is not enabled.');
/** Audit fields of a change a user makes to their own MFA. */
export const userTarget = (userId: string) => ({ actorId: userId, targetType: 'user', targetId: userId });

/** Sends a committed outbox row after the response. */
export function dispatchLater(c: Context<AppEnv>, item: OutboxItem): void {
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [item]));
}

/**
 * A wrong code on a signed-in route counts as a failed sign-in: otherwise a stolen session could guess codes
 * without limit to turn MFA off. Throws 429 when that failure locks the account, else 401.
 */
export async function refuseWrongCode(c: Context<AppEnv>, userId: string, action: string): Promise<never> {
  const until = await sessionsOf(c.env, userId).recordFailure();
  await audit(c, { action, outcome: 'failure', ...userTarget(userId), data: { reason: 'invalid_code' } });
  throw until === null ? wrongCode() : lockedError(until);
}

/** 429 while the user's sign-in is locked. */
export async function refuseIfLocked(env: IdentityEnv, userId: string): Promise<void> {
  const until = await sessionsOf(env, userId).lockedUntil();
  if (until !== null) throw lockedError(until);
}
