import { dbOf } from '../db/client.js';
import { linkTo } from './app-links.js';
import { newEmailToken, voidEmailTokens } from './email-tokens.js';
import { dispatchOutbox, securityNotice } from './outbox.js';
import { chargeSend, recipientLimit } from './send-limits.js';
import { findUserByEmail } from './users.js';

/**
 * Emails a reset link to the active account of `email`; earlier links stop working. Over the address's send limit
 * nothing is sent (`sent: false`). Null when no active account has the address.
 */
export async function requestPasswordReset(
  env: IdentityEnv,
  email: string,
): Promise<{ userId: string; sent: boolean } | null> {
  const user = await findUserByEmail(env.DB, email);
  if (user?.status !== 'active') return null;
  if (await chargeSend(env.DB, [await recipientLimit(user.email)])) return { userId: user.id, sent: false };
  const reset = await newEmailToken(env.DB, 'reset_password', user.id, user.email);
  const notice = securityNotice(env.DB, {
    to: user.id,
    template: 'identity.reset-password',
    locale: user.locale,
    data: { name: user.name, token: reset.token, url: linkTo(env, 'reset-password', reset.token) },
  });
  await dbOf(env.DB).batch([voidEmailTokens(env.DB, user.id, 'reset_password'), reset.statement, notice.statement]);
  await dispatchOutbox(env, [notice]);
  return { userId: user.id, sent: true };
}
