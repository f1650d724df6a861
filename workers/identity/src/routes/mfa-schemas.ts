import { z } from '@hono/zod-openapi';
import { RECOVERY_CODE_COUNT } from '../services/recovery-codes.js';

/** A TOTP code, or where allowed a recovery code. */
export const code = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: 'A current 6-digit TOTP code, or where allowed a recovery code.', example: '123456' });

/** A body carrying one code. */
export const MfaCodeSchema = z.object({ code }).openapi('MfaCode');

/** A new set of recovery codes, shown once. */
export const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z
      .array(z.string())
      .length(RECOVERY_CODE_COUNT)
      .openapi({ description: 'Single-use codes, shown only this once.', example: ['k7m2q-x9hfa'] }),
  })
  .openapi('MfaRecoveryCodes');
