import { grantorOf, grantRefusal, grantRefused } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { revokeSessionsOf } from './revocation.js';
import { permissionsOfRoles } from './roles.js';
import { saveUserRoles } from './user-admin.js';
import { permissionsOf, requireUser, type UserView } from './users.js';

/**
 * An admin sets exactly the roles of a user (`PUT /api/v1/users/{id}/roles`). Every role added or removed must grant
 * only what the caller may grant, and nobody adds roles to themselves (403, audited as `user.roles_change_refused`).
 * A user who loses a permission is signed out everywhere and named in `signedOut`; audited as `user.roles_changed`.
 */
export async function replaceUserRoles(
  deps: RequestDeps,
  input: { actorId: string; userId: string; roles: readonly string[] },
): Promise<{ user: UserView; signedOut: string[] }> {
  const db = deps.env.DB;
  const { actorId, userId: id } = input;
  const wanted = [...new Set(input.roles)];
  const current = await requireUser(db, id);
  const added = wanted.filter((r) => !current.roles.includes(r));
  const changed = [...added, ...current.roles.filter((r) => !wanted.includes(r))];
  const refuse = async (reason: string) => {
    await deps.audit({
      action: 'user.roles_change_refused',
      outcome: 'failure',
      actorId,
      targetType: 'user',
      targetId: id,
      data: { reason, before: current.roles, requested: wanted },
    });
    return grantRefused(reason);
  };
  if (id === actorId && added.length > 0) throw await refuse('You cannot give yourself roles.');
  const refusal = grantRefusal(await grantorOf(db, actorId), await permissionsOfRoles(db, changed), changed);
  if (refusal) throw await refuse(refusal);
  const heldBefore = await permissionsOf(db, id);
  const { before, after } = await saveUserRoles(db, id, wanted);
  if (before.roles.join() === after.roles.join()) return { user: after, signedOut: [] };
  // Losing a permission must take effect now, not when the access token expires: every session ends, and the
  // gateway drops what it cached of the user. Gaining one can wait for the next token.
  const heldAfter = new Set(await permissionsOf(db, id));
  const lost = heldBefore.filter((p) => !heldAfter.has(p));
  const sessionsRevoked = lost.length > 0 ? await revokeSessionsOf(deps.env, [id], 'roles_changed') : 0;
  await deps.audit({
    action: 'user.roles_changed',
    actorId,
    targetType: 'user',
    targetId: id,
    data: { before: before.roles, after: after.roles, permissionsLost: lost, sessionsRevoked },
  });
  return { user: after, signedOut: lost.length > 0 ? [id] : [] };
}
