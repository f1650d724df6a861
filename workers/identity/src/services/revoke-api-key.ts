import { AppError } from '@onasis/http';
import { markApiKeyRevoked } from './api-keys.js';
import type { RequestDeps } from './request-deps.js';

/**
 * A signed-in user revokes one of their API keys (`DELETE /api/v1/users/me/api-keys/{id}`); 404 when they have no
 * active key with this id. Audited as `api_key.revoked`.
 */
export async function revokeApiKey(deps: RequestDeps, input: { userId: string; keyId: string }): Promise<void> {
  if (!(await markApiKeyRevoked(deps.env.DB, input.userId, input.keyId)))
    throw new AppError('NOT_FOUND', 'You have no active API key with this id.');
  await deps.audit({ action: 'api_key.revoked', actorId: input.userId, targetType: 'api_key', targetId: input.keyId });
}
