import type { Permission } from '@onasis/contracts';
import { assertMayGrant } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { revokeSessionsOf } from './revocation.js';
import { holdersOf, type RoleView, requireRole, saveRolePatch } from './roles.js';

/**
 * An admin changes a role's description and permissions (`PATCH /api/v1/roles/{name}`). Permissions added or removed
 * must be ones the caller may grant (403, audited as `role.update_refused`). When the role loses a permission, every
 * holder is signed out everywhere and named in `signedOut`. Audited as `role.updated`.
 */
export async function updateRole(
  deps: RequestDeps,
  input: { actorId: string; name: string; patch: { description?: string; permissions?: readonly Permission[] } },
): Promise<{ role: RoleView; signedOut: string[] }> {
  const db = deps.env.DB;
  const { actorId, name, patch } = input;
  const current = await requireRole(db, name);
  if (patch.permissions !== undefined) {
    const wanted = new Set(patch.permissions);
    const changed = [
      ...patch.permissions.filter((p) => !current.permissions.includes(p)),
      ...current.permissions.filter((p) => !wanted.has(p)),
    ];
    await assertMayGrant(deps, { actorId, action: 'role.update_refused', role: name, permissions: changed });
  }
  const { before, after } = await saveRolePatch(db, name, patch);
  const lost = before.permissions.filter((p) => !after.permissions.includes(p));
  const holders = lost.length > 0 ? await holdersOf(db, name) : [];
  const sessionsRevoked = await revokeSessionsOf(deps.env, holders, 'role_changed');
  await deps.audit({
    action: 'role.updated',
    actorId,
    targetType: 'role',
    targetId: name,
    data: {
      before: { description: before.description, permissions: before.permissions },
      after: { description: after.description, permissions: after.permissions },
      holdersSignedOut: holders.length,
      sessionsRevoked,
    },
  });
  return { role: after, signedOut: holders };
}
