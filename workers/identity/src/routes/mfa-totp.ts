import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import {
  confirmFactor,
  enrollFactor,
  loadFactor,
  mfaChangedNotice,
  removeFactor,
  verifySecondFactor,
} from '../services/mfa.js';
import { requireUser } from '../services/users.js';
import { json, jsonBody, problem } from './auth-schemas.js';
import {
  bearer,
  dispatchLater,
  MfaCodeSchema,
  notEnabled,
  RecoveryCodesSchema,
  refuseIfLocked,
  refuseWrongCode,
  userTarget,
  wrongCode,
} from './mfa-common.js';

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
  path: '/auth/mfa/totp/enroll',
  tags: ['identity'],
  summary: 'Start TOTP enrollment',
  description: 'Returns a new secret; a pending enrollment is replaced. Confirm it with `/auth/mfa/totp/confirm`.',
  security: bearer,
  responses: {
    200: json('The secret to add to an authenticator', MfaEnrollmentSchema),
    401: problem('Not signed in'),
    409: problem('MFA is already enabled (`MFA_ALREADY_ENABLED`)'),
  },
});

const confirm = createRoute({
  method: 'post',
  path: '/auth/mfa/totp/confirm',
  tags: ['identity'],
  summary: 'Confirm TOTP enrollment',
  description: 'Enables MFA with a first code from the authenticator and returns ten recovery codes.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: json('MFA is on', RecoveryCodesSchema),
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('No enrollment pending (`MFA_NOT_ENABLED`) or MFA already on (`MFA_ALREADY_ENABLED`)'),
  },
});

const disable = createRoute({
  method: 'post',
  path: '/auth/mfa/totp/disable',
  tags: ['identity'],
  summary: 'Turn MFA off',
  description: 'Needs a current TOTP code or an unused recovery code. Removes the factor and every recovery code.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    204: { description: 'MFA is off' },
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('MFA is not enabled (`MFA_NOT_ENABLED`)'),
    429: problem('Too many wrong codes (`ACCOUNT_LOCKED`); see Retry-After'),
  },
});

/** TOTP enrollment and confirmation, and turning MFA off. */
export function mfaTotpRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(enroll, async (c) => {
    const { userId } = requirePrincipal(c);
    const user = await requireUser(c.env.DB, userId);
    const enrollment = await enrollFactor(c.env, userId, user.email);
    if (!enrollment) throw new AppError('MFA_ALREADY_ENABLED', 'Turn MFA off before enrolling a new authenticator.');
    c.header('cache-control', 'no-store');
    return c.json(enrollment, 200);
  });

  app.openapi(confirm, async (c) => {
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

  app.openapi(disable, async (c) => {
    const { userId } = requirePrincipal(c);
    const factor = await loadFactor(c.env.DB, userId);
    if (!factor?.confirmed_at) throw notEnabled();
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
}
