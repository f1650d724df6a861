import type { Permission } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { ADMIN_ROLE } from './user-admin.js';

/**
 * Permissions that let their holder change who holds what. Granting them (directly in a role, or through a role that
 * carries them) is for admins only: anyone else holding them could otherwise mint a peer and share the load of an
 * escalation.
 */
export const ADMIN_ONLY_PERMISSIONS: readonly Permission[] = ['users:write', 'roles:write'];

/** What a caller may hand out: the permissions their roles grant now (not as their token recorded them). */
export interface Grantor {
  userId: string;
  permissions: ReadonlySet<string>;
  admin: boolean;
}

/** The grantor `userId` is now, read from the database in one query. */
export async function grantorOf(db: D1Database, userId: string): Promise<Grantor> {
  const row = await db
    .prepare(
      `SELECT
         (SELECT json_group_array(DISTINCT p.value) FROM user_roles ur JOIN roles r ON r.name = ur.role,
            json_each(r.permissions) p WHERE ur.user_id = ?1) AS permissions,
         EXISTS (SELECT 1 FROM user_roles WHERE user_id = ?1 AND role = '${ADMIN_ROLE}') AS admin`,
    )
    .bind(userId)
    .first<{ permissions: string | null; admin: number }>();
  const permissions = (JSON.parse(row?.permissions ?? '[]') as (string | null)[]).filter(
    (p): p is string => typeof p === 'string',
  );
  return { userId, permissions: new Set(permissions), admin: row?.admin === 1 };
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
