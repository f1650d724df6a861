import { createRoute } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { loadFactor, spendTotpCode } from '../services/mfa-factor.js';
import { dispatchLater, notEnabled, refuseIfLocked, refuseWrongCode, userTarget } from '../services/mfa-guards.js';
import { mfaChangedNotice } from '../services/mfa-notice.js';
import { replaceRecoveryCodes } from '../services/recovery-codes.js';
import { MfaCodeSchema, RecoveryCodesSchema } from './mfa-schemas.js';
import { problems } from './problems.js';

const regenerate = createRoute({
  method: 'post',
  path: '/',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Replace the recovery codes',
  description: 'Needs a current TOTP code. Returns ten new recovery codes; the previous ones stop working.',
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: jsonResponse(RecoveryCodesSchema, 'The new codes'),
    ...problems(400, 401, 409, 429),
  },
});

/** Replacing the recovery codes. */
export const mfaRecoveryCodesApp = resourceApp<AppEnv>();

mfaRecoveryCodesApp.openapi(regenerate, async (c) => {
  const { userId } = requirePrincipal(c);
  const factor = await loadFactor(c.env.DB, userId);
  if (!factor?.confirmedAt) throw notEnabled();
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
