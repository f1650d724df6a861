import { AppError } from '@onasis/http';
import { markApiKeyRevoked } from './api-keys.js';
import { grantorOf, grantRefusal, grantRefused } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { sessionsOf } from './sessions.js';
import { permissionsOf, requireUser } from './users.js';

/** One credential of a user, as an admin names it on `DELETE /api/v1/users/{id}/sessions|api-keys/{…}`. */
export type UserCredential = { kind: 'session'; id: string } | { kind: 'api_key'; id: string };

/**
 * An admin ends one session or revokes one API key of user `userId`. 404 for an unknown user, or a credential that is
 * not that user's or no longer live, so a second revocation (a retry) answers 404 and changes nothing. Refused with
 * 403 (audited as `session.revoke_refused` / `api_key.revoke_refused`) when the user holds more than the admin, as
 * for disabling them. Audited as `session.revoked` / `api_key.revoked` with the owner and `by: 'admin'`.
 */
export async function revokeUserCredential(
  deps: RequestDeps,
  input: { actorId: string; userId: string; credential: UserCredential },
): Promise<void> {
  const { env } = deps;
  const { actorId, userId, credential } = input;
  const target = { actorId, targetType: credential.kind, targetId: credential.id };
  const subject = await requireUser(env.DB, userId);
  if (userId !== actorId) {
    const refusal = grantRefusal(await grantorOf(env.DB, actorId), await permissionsOf(env.DB, userId), subject.roles);
    if (refusal) {
      await deps.audit({
        ...target,
        action: `${credential.kind}.revoke_refused`,
        outcome: 'failure',
        data: { userId, reason: refusal },
      });
      throw grantRefused(`You cannot change this user. ${refusal}`);
    }
  }
  const revoked =
    credential.kind === 'session'
      ? await sessionsOf(env, userId).revoke(credential.id, 'revoked_by_admin')
      : await markApiKeyRevoked(env.DB, userId, credential.id);
  if (!revoked)
    throw new AppError(
      'NOT_FOUND',
      credential.kind === 'session'
        ? 'This user has no live session with this id.'
        : 'This user has no active API key with this id.',
    );
  await deps.audit({
    ...target,
    action: `${credential.kind}.revoked`,
    data: { userId, by: 'admin', ...(credential.kind === 'session' ? { reason: 'revoked_by_admin' } : {}) },
  });
}
