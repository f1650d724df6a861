import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { confirmFactor, enrollFactor, loadFactor, removeFactor } from '../services/mfa-factor.js';
import {
  dispatchLater,
  notEnabled,
  refuseIfLocked,
  refuseWrongCode,
  userTarget,
  wrongCode,
} from '../services/mfa-guards.js';
import { mfaChangedNotice } from '../services/mfa-notice.js';
import { verifySecondFactor } from '../services/second-factor.js';
import { requireUser } from '../services/users.js';
import { MfaCodeSchema, RecoveryCodesSchema } from './mfa-schemas.js';
import { problems } from './problems.js';

const MfaEnrollmentSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32 TOTP secret, for typing into an authenticator app.' }),
    otpauthUri: z.string().openapi({
      description: 'Key URI to show as a QR code.',
      example: 'otpauth://totp/Onasis:ada%40example.com?issuer=Onasis&secret=…&algorithm=SHA1&digits=6&period=30',
    }),
  })
  .openapi('MfaEnrollment');

const enroll = createRoute({
  method: 'post',
  path: '/enroll',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Start TOTP enrollment',
  description: 'Returns a new secret; a pending enrollment is replaced. Confirm it with `/auth/mfa/totp/confirm`.',
  responses: {
    200: jsonResponse(MfaEnrollmentSchema, 'The secret to add to an authenticator'),
    ...problems(401, 409),
  },
});

const confirm = createRoute({
  method: 'post',
  path: '/confirm',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Confirm TOTP enrollment',
  description: 'Enables MFA with a first code from the authenticator and returns ten recovery codes.',
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: jsonResponse(RecoveryCodesSchema, 'MFA is on'),
    ...problems(400, 401, 409),
  },
});

const disable = createRoute({
  method: 'post',
  path: '/disable',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Turn MFA off',
  description: 'Needs a current TOTP code or an unused recovery code. Removes the factor and every recovery code.',
  request: jsonBody(MfaCodeSchema),
  responses: {
    204: { description: 'MFA is off' },
    ...problems(400, 401, 409, 429),
  },
});

/** TOTP enrollment and confirmation, and turning MFA off. */
export const mfaTotpApp = resourceApp<AppEnv>();

mfaTotpApp.openapi(enroll, async (c) => {
  const { userId } = requirePrincipal(c);
  const user = await requireUser(c.env.DB, userId);
  const enrollment = await enrollFactor(c.env, userId, user.email);
  if (!enrollment) throw new AppError('MFA_ALREADY_ENABLED', 'Turn MFA off before enrolling a new authenticator.');
  c.header('cache-control', 'no-store');
  return c.json(enrollment, 200);
});

mfaTotpApp.openapi(confirm, async (c) => {
  const { userId } = requirePrincipal(c);
  const notice = mfaChangedNotice(c.env.DB, userId, 'enabled');
  const result = await confirmFactor(c.env, userId, c.req.valid('json').code, notice);
  if (!result.ok) {
    if (result.reason === 'invalid_code') throw wrongCode();
    if (result.reason === 'already_enabled')
      throw new AppError('MFA_ALREADY_ENABLED', 'Multi-factor authentication is already enabled.');
    throw new AppError('MFA_NOT_ENABLED', 'No enrollment is pending; start one with /auth/mfa/totp/enroll.');
  }
  dispatchLater(c, notice);
  await audit(c, { action: 'mfa.enrolled', ...userTarget(userId), data: { factor: 'totp' } });
  c.header('cache-control', 'no-store');
  return c.json({ recoveryCodes: result.recoveryCodes }, 200);
});

mfaTotpApp.openapi(disable, async (c) => {
  const { userId } = requirePrincipal(c);
  const factor = await loadFactor(c.env.DB, userId);
  if (!factor?.confirmedAt) throw notEnabled();
  await refuseIfLocked(c.env, userId);
  const via = await verifySecondFactor(c.env, userId, c.req.valid('json').code);
  if (!via) return refuseWrongCode(c, userId, 'mfa.disabled');
  if (via === 'recovery') await audit(c, { action: 'mfa.recovery_code_used', ...userTarget(userId) });
  const notice = mfaChangedNotice(c.env.DB, userId, 'disabled');
  // False only when a concurrent request removed the factor first: MFA is off either way.
  if (await removeFactor(c.env.DB, userId, notice)) {
    dispatchLater(c, notice);
    await audit(c, { action: 'mfa.disabled', ...userTarget(userId), data: { via } });
  }
  return c.body(null, 204);
});
