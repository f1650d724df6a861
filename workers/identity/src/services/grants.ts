import type { Permission } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { userRoles, users } from '../db/schema.js';
import { heldPermissions, heldPermissionsColumn } from './held-permissions.js';
import type { RequestDeps } from './request-deps.js';
import { ADMIN_ROLE } from './user-admin.js';

/**
 * Permissions that let their holder change who holds what. Granting them (directly in a role, or through a role that
 * carries them) is for admins only: anyone else holding them could otherwise mint a peer and share the load of an
 * escalation.
 */
const ADMIN_ONLY_PERMISSIONS: readonly Permission[] = ['users:write', 'roles:write'];

/** What a caller may hand out: the permissions their roles grant now (not as their token recorded them). */
interface Grantor {
  userId: string;
  permissions: ReadonlySet<string>;
  admin: boolean;
}

/** The grantor `userId` is now, read from the database in one query. */
export async function grantorOf(d1: D1Database, userId: string): Promise<Grantor> {
  const db = dbOf(d1);
  const [row] = await db
    .select({
      permissions: heldPermissionsColumn(users.id),
      adminGrants: db.$count(userRoles, and(eq(userRoles.userId, users.id), eq(userRoles.role, ADMIN_ROLE))),
    })
    .from(users)
    .where(eq(users.id, userId));
  return {
    userId,
    permissions: new Set(heldPermissions(row?.permissions ?? null)),
    admin: (row?.adminGrants ?? 0) > 0,
  };
}

/**
 * Why `grantor` may not hand out (or take away) `permissions` and the roles named in `roles`, or null when they may:
 * nobody grants what they do not hold, and only admins grant the admin role or the admin-only permissions.
 */
export function grantRefusal(
  grantor: Grantor,
  permissions: readonly string[],
  roles: readonly string[] = [],
): string | null {
  if (grantor.admin) return null;
  if (roles.includes(ADMIN_ROLE)) return `Only an admin can grant or remove the ${ADMIN_ROLE} role.`;
  const adminOnly = permissions.filter((p) => (ADMIN_ONLY_PERMISSIONS as readonly string[]).includes(p));
  if (adminOnly.length > 0) return `Only an admin can grant or remove ${[...new Set(adminOnly)].join(', ')}.`;
  const beyond = permissions.filter((p) => !grantor.permissions.has(p));
  if (beyond.length > 0) return `You cannot grant or remove what you do not hold: ${[...new Set(beyond)].join(', ')}.`;
  return null;
}

/** The 403 for a grant beyond the caller's own. */
export function grantRefused(detail: string): AppError {
  return new AppError('FORBIDDEN', detail);
}

/**
 * Refuses (403, audited as `action`) a role change that hands out or takes away a permission the caller does not
 * hold, or an admin-only one when the caller is no admin: `roles:write` alone must not be a way to escalate.
 */
export async function assertMayGrant(
  deps: RequestDeps,
  input: { actorId: string; action: string; role: string; permissions: readonly string[] },
): Promise<void> {
  const { actorId, action, role, permissions } = input;
  const refusal = grantRefusal(await grantorOf(deps.env.DB, actorId), permissions);
  if (!refusal) return;
  await deps.audit({
    action,
    outcome: 'failure',
    actorId,
    targetType: 'role',
    targetId: role,
    data: { reason: refusal, permissions },
  });
  throw grantRefused(refusal);
}
