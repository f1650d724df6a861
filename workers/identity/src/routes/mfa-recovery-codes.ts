import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { loadFactor, mfaChangedNotice, replaceRecoveryCodes, spendTotpCode } from '../services/mfa.js';
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
} from './mfa-common.js';

const regenerate = createRoute({
  method: 'post',
  path: '/auth/mfa/recovery-codes',
  tags: ['identity'],
  summary: 'Replace the recovery codes',
  description: 'Needs a current TOTP code. Returns ten new recovery codes; the previous ones stop working.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: json('The new codes', RecoveryCodesSchema),
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('MFA is not enabled (`MFA_NOT_ENABLED`)'),
    429: problem('Too many wrong codes (`ACCOUNT_LOCKED`); see Retry-After'),
  },
});

/** Replacing the recovery codes. */
export function mfaRecoveryCodeRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(regenerate, async (c) => {
    const { userId } = requirePrincipal(c);
    const factor = await loadFactor(c.env.DB, userId);
    if (!factor?.confirmed_at) throw notEnabled();
    await refuseIfLocked(c.env, userId);
    if (!(await spendTotpCode(c.env, userId, c.req.valid('json').code)))
      return refuseWrongCode(c, userId, 'mfa.recovery_codes_regenerated');
    const notice = mfaChangedNotice(c.env.DB, userId, 'recovery_codes_regenerated');
    const recoveryCodes = await replaceRecoveryCodes(c.env.DB, userId, notice);
    if (!recoveryCodes) throw notEnabled();
    dispatchLater(c, notice);
    await audit(c, { action: 'mfa.recovery_codes_regenerated', ...userTarget(userId) });
    c.header('cache-control', 'no-store');
    return c.json({ recoveryCodes }, 200);
  });
}
