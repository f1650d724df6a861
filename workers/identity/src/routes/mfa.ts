import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { mfaRecoveryCodeRoutes } from './mfa-recovery-codes.js';
import { mfaTotpRoutes } from './mfa-totp.js';
import { mfaVerifyRoutes } from './mfa-verify.js';

/** TOTP enrollment, recovery codes, and the second step of a sign-in with MFA. */
export function mfaRoutes(app: OpenAPIHono<AppEnv>): void {
  // In the order they were registered before the split: enroll, confirm, disable, recovery codes, verify.
  mfaTotpRoutes(app);
  mfaRecoveryCodeRoutes(app);
  mfaVerifyRoutes(app);
}
