import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import type { Claim } from './account-claim.js';
import { audit } from './audit.js';
import { dispatchOutbox } from './outbox.js';
import { forget } from './revocation.js';
import { sessionsOf } from './sessions.js';

/**
 * Finishes a claim the batch made (services/account-claim.ts): ends every session but `keepSession` (the caller's,
 * when the owner proved the address while signed in), sends the `user.account-claimed` event, audits it, and has
 * the gateway forget the user's sessions and the revoked keys at once. Nothing when the account was proven before.
 */
export async function settleClaim(
  c: Context<AppEnv>,
  claim: Claim,
  outcome: { claimed: boolean; revokedKeyIds: string[] },
  userId: string,
  options: { keepSession?: string; sessionsRevoked?: boolean } = {},
): Promise<void> {
  if (!outcome.claimed) return;
  const sessionsRevoked = options.sessionsRevoked
    ? null
    : await sessionsOf(c.env, userId).revokeAll('account_claimed', options.keepSession);
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [claim.event]));
  await audit(c, {
    action: 'user.account_claimed',
    actorId: userId,
    targetType: 'user',
    targetId: userId,
    data: { apiKeysRevoked: outcome.revokedKeyIds, sessionsRevoked },
  });
  forget(c, { users: [userId], apiKeys: outcome.revokedKeyIds });
}
