import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import type { Claim } from '../services/account-claim.js';
import { linkTo } from '../services/app-links.js';
import { audit } from '../services/audit.js';
import { newEmailToken, voidEmailTokens } from '../services/email-tokens.js';
import { dispatchOutbox, securityNotice } from '../services/outbox.js';
import { forget } from '../services/revocation.js';
import { sessionsOf } from '../services/sessions.js';

/** Emails a fresh verification link to `email`; earlier links of the user stop working. */
export async function sendVerification(
  c: Context<AppEnv>,
  userId: string,
  email: string,
  name: string | null,
  locale: string | null,
  purpose: 'verify_email' | 'change_email' = 'verify_email',
): Promise<void> {
  const db = c.env.DB;
  const token = await newEmailToken(db, purpose, userId, email);
  const notice = securityNotice(db, {
    to: userId,
    ...(purpose === 'change_email' ? { toAddress: email } : {}),
    template: 'identity.verify-email',
    locale,
    data: {
      name,
      token: token.token,
      url: linkTo(c.env, 'verify-email', token.token),
      newEmail: purpose === 'change_email',
    },
  });
  await dbOf(db).batch([voidEmailTokens(db, userId, purpose), token.statement, notice.statement]);
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [notice]));
}

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
