import { AppError } from '@onasis/http';
import { grantorOf, grantRefusal, grantRefused } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { sessionsOf } from './sessions.js';
import { saveUserPatch } from './user-admin.js';
import { permissionsOf, requireUser, type UserView } from './users.js';

/**
 * An admin enables, disables or renames a user (`PATCH /api/v1/users/{id}`). Refused (403, audited as
 * `user.update_refused`) when the user holds more than the caller; disabling revokes every session of the user.
 * Audited as `user.disabled`, `user.enabled` and `user.updated`. Answers the user as changed.
 */
export async function updateUser(
  deps: RequestDeps,
  input: { actorId: string; userId: string; patch: { status?: 'active' | 'disabled'; name?: string | null } },
): Promise<UserView> {
  const { env } = deps;
  const { actorId, userId: id, patch } = input;
  const target = { actorId, targetType: 'user', targetId: id };
  if (patch.status === 'disabled' && id === actorId)
    throw new AppError('CONFLICT', 'You cannot disable your own account.');
  if (id !== actorId) {
    // Nobody below a user may switch them off (or rename them): that would be a way to act on someone above you.
    const subject = await requireUser(env.DB, id);
    const refusal = grantRefusal(await grantorOf(env.DB, actorId), await permissionsOf(env.DB, id), subject.roles);
    if (refusal) {
      await deps.audit({ ...target, action: 'user.update_refused', outcome: 'failure', data: { reason: refusal } });
      throw grantRefused(`You cannot change this user. ${refusal}`);
    }
  }
  const { before, after } = await saveUserPatch(env.DB, id, patch);
  // Revoked on every disabling request, not only the first: a retry after a failed revocation finishes the job.
  let sessionsRevoked: number | null = null;
  let revokeError: unknown;
  if (patch.status === 'disabled') {
    try {
      sessionsRevoked = await sessionsOf(env, id).revokeAll('user_disabled');
    } catch (err) {
      revokeError = err;
    }
  }
  if (before.status !== after.status) {
    await deps.audit({
      ...target,
      action: after.status === 'disabled' ? 'user.disabled' : 'user.enabled',
      data: { before: { status: before.status }, after: { status: after.status }, sessionsRevoked },
    });
  }
  if (before.name !== after.name) {
    await deps.audit({
      ...target,
      action: 'user.updated',
      data: { before: { name: before.name }, after: { name: after.name } },
    });
  }
  if (revokeError !== undefined) throw revokeError;
  return after;
}
