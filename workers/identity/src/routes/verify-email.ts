import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { spendEmailToken } from '../services/email-tokens.js';
import { dispatchOutbox } from '../services/outbox.js';
import { assertSendAllowed, recipientLimit, userLimit } from '../services/send-limits.js';
import { sendVerification } from '../services/send-verification.js';
import { settleClaim } from '../services/settle-claim.js';
import { findUserById, viewOf } from '../services/users.js';
import { changeAddress, proveAddress } from '../services/verify-email.js';
import { UserSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const verifyEmail = createRoute({
  method: 'post',
  path: '/',
  ...access('public'),
  tags: ['identity'],
  summary: 'Confirm an email address',
  description: 'Spends a token from a verification or email-change message (single use, 24 hours).',
  request: jsonBody(z.object({ token: z.string().min(1).max(256) }).openapi('VerifyEmailRequest')),
  responses: {
    200: jsonResponse(UserSchema, 'The account with its confirmed address'),
    ...problems(400, 409),
  },
});

const resendVerification = createRoute({
  method: 'post',
  path: '/resend',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Send a new verification email',
  description: 'For the signed-in user. Earlier verification links stop working. Nothing is sent when verified.',
  responses: { 202: { description: 'Accepted' }, ...problems(401) },
});

/** Email verification: spending a link, and sending a new one. */
export const verifyEmailApp = resourceApp<AppEnv>();

verifyEmailApp.openapi(verifyEmail, async (c) => {
  const { token } = c.req.valid('json');
  const db = c.env.DB;
  const spent = await spendEmailToken(db, token, ['verify_email', 'change_email']);
  if (!spent) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
  const now = new Date().toISOString();
  if (spent.purpose === 'verify_email') {
    const { claim, outcome } = await proveAddress(db, spent.userId, spent.email, now);
    await audit(c, {
      action: 'user.email_verified',
      actorId: spent.userId,
      targetType: 'user',
      targetId: spent.userId,
    });
    const principal = c.get('principal');
    await settleClaim(c, claim, outcome, spent.userId, {
      keepSession: principal?.userId === spent.userId ? (principal.sessionId ?? undefined) : undefined,
    });
  } else {
    const before = await findUserById(db, spent.userId);
    if (!before) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
    const notice = await changeAddress(db, before, spent.email, now);
    c.executionCtx.waitUntil(dispatchOutbox(c.env, [notice]));
    await audit(c, {
      action: 'user.email_changed',
      actorId: spent.userId,
      targetType: 'user',
      targetId: spent.userId,
      data: { from: before.email, to: spent.email },
    });
  }
  const user = await findUserById(db, spent.userId);
  if (!user) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
  return c.json(viewOf(user), 200);
});

verifyEmailApp.openapi(resendVerification, async (c) => {
  const principal = requirePrincipal(c);
  const user = await findUserById(c.env.DB, principal.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
  if (!user.emailVerified) {
    await assertSendAllowed(c.env.DB, [userLimit(user.id), await recipientLimit(user.email)]);
    await sendVerification(c, user.id, user.email, user.name, user.locale);
  }
  return c.body(null, 202);
});
