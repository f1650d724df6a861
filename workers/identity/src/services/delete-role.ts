import { assertMayGrant } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { revokeSessionsOf } from './revocation.js';
import { holdersOf, removeRole, requireRole } from './roles.js';

/**
 * An admin deletes a custom role (`DELETE /api/v1/roles/{name}`), which takes it from every holder: the caller must
 * hold every permission of the role (403, audited as `role.delete_refused`); built-in roles are a 409. Holders of a
 * role that granted anything are signed out everywhere and named in `signedOut`. Audited as `role.deleted`.
 */
export async function deleteRole(
  deps: RequestDeps,
  input: { actorId: string; name: string },
): Promise<{ signedOut: string[] }> {
  const db = deps.env.DB;
  const { actorId, name } = input;
  const current = await requireRole(db, name);
  if (!current.builtIn)
    await assertMayGrant(deps, {
      actorId,
      action: 'role.delete_refused',
      role: name,
      permissions: current.permissions,
    });
  const holders = await holdersOf(db, name);
  const role = await removeRole(db, name);
  const signedOut = role.permissions.length > 0 ? holders : [];
  const sessionsRevoked = await revokeSessionsOf(deps.env, signedOut, 'role_deleted');
  await deps.audit({
    action: 'role.deleted',
    actorId,
    targetType: 'role',
    targetId: name,
    data: {
      description: role.description,
      permissions: role.permissions,
      memberCount: role.memberCount,
      holdersSignedOut: signedOut.length,
      sessionsRevoked,
    },
  });
  return { signedOut };
}
