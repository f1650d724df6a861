import { AppError } from '@onasis/http';
import { dbOf } from '../db/client.js';
import type { RequestDeps } from './request-deps.js';
import { type SigningKeyView, unpublishSigningKey } from './signing-keys.js';
import { forgetSigningKey } from './tokens.js';

/**
 * An admin retires a signing key at once (`POST /api/v1/signing-keys/{kid}/retire`), for a key that leaked; 404 for
 * an unknown kid. Audited as `signing_key.retired`. Answers the key and the kid of its replacement, if it signed.
 */
export async function retireSigningKey(
  deps: RequestDeps,
  input: { actorId: string; kid: string },
): Promise<{ key: SigningKeyView; replacedBy: string | null }> {
  const { actorId, kid } = input;
  const result = await unpublishSigningKey(dbOf(deps.env.DB), deps.env.KEY_ENCRYPTION_KEY, kid);
  if (!result) throw new AppError('NOT_FOUND', 'No signing key has this id.');
  // This isolate stops signing with it now; others reload their key within a minute (services/tokens.ts).
  forgetSigningKey();
  await deps.audit({
    action: 'signing_key.retired',
    actorId,
    targetType: 'signing_key',
    targetId: kid,
    data: { replacedBy: result.replacedBy },
  });
  return result;
}
