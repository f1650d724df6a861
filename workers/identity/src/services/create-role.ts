import { assertMayGrant } from './grants.js';
import type { RequestDeps } from './request-deps.js';
import { insertRole, type RoleView } from './roles.js';

/**
 * An admin creates a custom role (`POST /api/v1/roles`) from permissions they hold (403, audited as
 * `role.create_refused`, otherwise); a taken name is a 409. Audited as `role.created`.
 */
export async function createRole(
  deps: RequestDeps,
  input: { actorId: string; name: string; description: string; permissions: readonly string[] },
): Promise<RoleView> {
  const { actorId, ...fields } = input;
  await assertMayGrant(deps, {
    actorId,
    action: 'role.create_refused',
    role: fields.name,
    permissions: fields.permissions,
  });
  const role = await insertRole(deps.env.DB, fields);
  await deps.audit({
    action: 'role.created',
    actorId,
    targetType: 'role',
    targetId: role.name,
    data: { description: role.description, permissions: role.permissions },
  });
  return role;
}
