import { AppError } from '@onasis/http';
import { type ApiKeyView, insertApiKey } from './api-keys.js';
import type { RequestDeps } from './request-deps.js';
import { findUserById, permissionsOf } from './users.js';

/**
 * A signed-in user creates an API key (`POST /api/v1/users/me/api-keys`) with scopes among the permissions they hold
 * now. Refused with 403 `EMAIL_NOT_VERIFIED` (audited as `api_key.create_refused`) until the address is proven.
 * Audited as `api_key.created`. Answers the key with its secret, which is never shown again.
 */
export async function createApiKey(
  deps: RequestDeps,
  input: { userId: string; name: string; scopes: readonly string[]; expiresAt?: string },
): Promise<ApiKeyView & { secret: string }> {
  const db = deps.env.DB;
  const { userId } = input;
  // Until the address is proven the account may be someone else's pre-registration of it, and a key would
  // outlive the owner's claim of the account.
  const owner = await findUserById(db, userId);
  if (!owner) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
  if (!owner.emailVerified) {
    await deps.audit({
      action: 'api_key.create_refused',
      outcome: 'failure',
      actorId: userId,
      targetType: 'user',
      targetId: userId,
      data: { reason: 'email_not_verified' },
    });
    throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address before creating API keys.');
  }
  // The roles as they are now, not as the access token recorded them up to its lifetime ago.
  const held = await permissionsOf(db, userId);
  const key = await insertApiKey(db, { ...input, held });
  await deps.audit({
    action: 'api_key.created',
    actorId: userId,
    targetType: 'api_key',
    targetId: key.id,
    data: { name: key.name, prefix: key.prefix, scopes: key.scopes, expiresAt: key.expiresAt },
  });
  return key;
}
