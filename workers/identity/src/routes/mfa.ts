import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { mfaRecoveryCodesApp } from './mfa-recovery-codes.js';
import { mfaTotpApp } from './mfa-totp.js';
import { mfaVerifyApp } from './mfa-verify.js';

/** Under /auth/mfa: TOTP enrollment, recovery codes, and the second step of a sign-in with MFA. */
export const mfaApp = resourceApp<AppEnv>()
  .route('/totp', mfaTotpApp)
  .route('/recovery-codes', mfaRecoveryCodesApp)
  .route('/verify', mfaVerifyApp);
