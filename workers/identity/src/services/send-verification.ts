import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { linkTo } from './app-links.js';
import { newEmailToken, voidEmailTokens } from './email-tokens.js';
import { dispatchOutbox, securityNotice } from './outbox.js';

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
