import { z } from '@hono/zod-openapi';
import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { dispatchOutbox, type OutboxItem } from '../services/outbox.js';
import { RECOVERY_CODE_COUNT } from '../services/recovery-codes.js';
import { sessionsOf } from '../services/sessions.js';

export const code = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: 'A current 6-digit TOTP code, or where allowed a recovery code.', example: '123456' });

export const MfaCodeSchema = z.object({ code }).openapi('MfaCode');

export const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z
      .array(z.string())
      .length(RECOVERY_CODE_COUNT)
      .openapi({ description: 'Single-use codes, shown only this once.', example: ['k7m2q-x9hfa'] }),
  })
  .openapi('MfaRecoveryCodes');

export function lockedError(until: number): AppError {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new AppError('ACCOUNT_LOCKED', `Too many failed attempts; try again in ${seconds} seconds.`, {
    headers: { 'retry-after': String(seconds) },
  });
}

export const wrongCode = () => new AppError('INVALID_MFA_CODE', 'The code is wrong, expired or already used.');
export const notEnabled = () => new AppError('MFA_NOT_ENABLED', 'Multi-factor authentication is not enabled.');
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

export async function refuseIfLocked(env: IdentityEnv, userId: string): Promise<void> {
  const until = await sessionsOf(env, userId).lockedUntil();
  if (until !== null) throw lockedError(until);
}
