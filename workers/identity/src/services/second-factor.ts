import { spendTotpCode } from './mfa-factor.js';
import { normaliseRecoveryCode, spendRecoveryCode } from './recovery-codes.js';
import { normaliseTotpCode } from './totp.js';

/** Which second factor a code proved. */
type SecondFactor = 'totp' | 'recovery';

/**
 * Checks and spends a second factor of a user with confirmed MFA: a current TOTP code (once per time step) or an
 * unused recovery code (once). Returns which one it was, or null when `code` is neither.
 */
export async function verifySecondFactor(env: IdentityEnv, userId: string, code: string): Promise<SecondFactor | null> {
  if (normaliseTotpCode(code) !== null) return (await spendTotpCode(env, userId, code)) ? 'totp' : null;
  if (normaliseRecoveryCode(code) !== null) return (await spendRecoveryCode(env.DB, userId, code)) ? 'recovery' : null;
  return null;
}
