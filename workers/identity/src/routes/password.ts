import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { spendEmailToken } from '../services/email-tokens.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { requestPasswordReset } from '../services/request-password-reset.js';
import { setResetPassword } from '../services/reset-password.js';
import { forget } from '../services/revocation.js';
import { sessionsOf } from '../services/sessions.js';
import { settleClaim } from '../services/settle-claim.js';
import { EmailSchema, PasswordSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const forgotPassword = createRoute({
  method: 'post',
  path: '/forgot',
  ...access('public'),
  tags: ['identity'],
  summary: 'Request a password reset email',
  description: 'Always 202, whether or not an account exists, so that it tells nobody which addresses have one.',
  request: jsonBody(z.object({ email: EmailSchema }).openapi('ForgotPasswordRequest')),
  responses: { 202: { description: 'Accepted' }, ...problems(400) },
});

const resetPassword = createRoute({
  method: 'post',
  path: '/reset',
  ...access('public'),
  tags: ['identity'],
  summary: 'Set a new password with a reset token',
  description: 'Spends the token (single use, 1 hour), sets the password and signs the account out everywhere.',
  request: jsonBody(z.object({ token: z.string().min(1).max(256), password: PasswordSchema }).openapi('ResetRequest')),
  responses: { 204: { description: 'Password changed' }, ...problems(400) },
});

/** Forgotten passwords: the reset email and the reset itself. */
export const passwordApp = resourceApp<AppEnv>();

passwordApp.openapi(forgotPassword, async (c) => {
  const { email } = c.req.valid('json');
  // The work happens after the answer, so its duration cannot tell whether the account exists.
  c.executionCtx.waitUntil(
    (async () => {
      const requested = await requestPasswordReset(c.env, email);
      if (!requested) return;
      // Over the address's limit nothing is sent, and the answer (already given) cannot say so.
      await audit(c, {
        action: 'user.password_reset_requested',
        targetType: 'user',
        targetId: requested.userId,
        ...(requested.sent ? { actorId: null } : { outcome: 'failure', data: { reason: 'send_limited' } }),
      });
    })().catch((err) => c.get('log').error('password reset request failed', { err: String(err) })),
  );
  return c.body(null, 202);
});

passwordApp.openapi(resetPassword, async (c) => {
  const { token, password } = c.req.valid('json');
  // Judge the password before spending the token, so a refused password leaves the link usable.
  assertAcceptablePassword(password);
  const spent = await spendEmailToken(c.env.DB, token, ['reset_password']);
  if (!spent) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
  assertAcceptablePassword(password, spent.email);
  const { claim, outcome } = await setResetPassword(c.env, spent.userId, password);
  const sessions = sessionsOf(c.env, spent.userId);
  const revoked = await sessions.revokeAll('password_reset');
  await sessions.clearFailures();
  await settleClaim(c, claim, outcome, spent.userId, { sessionsRevoked: true });
  // Every session ended, claimed or not: the gateway isolate that forwarded this forgets them at once.
  forget(c, { users: [spent.userId], apiKeys: outcome.revokedKeyIds });
  await audit(c, {
    action: 'user.password_reset',
    actorId: spent.userId,
    targetType: 'user',
    targetId: spent.userId,
    data: { sessionsRevoked: revoked },
  });
  return c.body(null, 204);
});
