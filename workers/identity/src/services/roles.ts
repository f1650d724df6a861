import { PERMISSIONS, type Permission } from '@onasis/contracts';
import { AppError } from '@onasis/http';

/** A role as the API shows it. */
export interface RoleView {
  name: string;
  description: string;
  permissions: Permission[];
  builtIn: boolean;
  /** How many users hold the role. */
  memberCount: number;
  createdAt: string;
}

type RoleRow = {
  name: string;
  description: string;
  permissions: string;
  built_in: number;
  created_at: string;
  members: number;
};

const SELECT_ROLE = `
  SELECT r.name, r.description, r.permissions, r.built_in, r.created_at,
    (SELECT COUNT(*) FROM user_roles ur WHERE ur.role = r.name) AS members
  FROM roles r`;

function toView(row: RoleRow): RoleView {
  return {
    name: row.name,
    description: row.description,
    // Stored order (built-ins keep their seeded order); strings no longer in the registry grant nothing and are hidden.
    permissions: [...new Set(JSON.parse(row.permissions) as string[])].filter(isPermission),
    builtIn: row.built_in === 1,
    memberCount: row.members,
    createdAt: row.created_at,
  };
}

function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

/** `permissions` without repeats or unknown strings, in the order of PERMISSIONS, so equal sets compare equal. */
export function canonicalPermissions(permissions: readonly string[]): Permission[] {
  const wanted = new Set(permissions);
  return PERMISSIONS.filter((p) => wanted.has(p));
}

/** Whether two permission lists grant the same set. */
export function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  const x = canonicalPermissions(a);
  const y = canonicalPermissions(b);
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/** Up to `limit` roles by name, after the role named `after`. */
export async function listRoles(db: D1Database, page: { limit: number; after?: string }): Promise<RoleView[]> {
  const { results } = await db
    .prepare(`${SELECT_ROLE} WHERE r.name > ? ORDER BY r.name LIMIT ?`)
    .bind(page.after ?? '', page.limit)
    .all<RoleRow>();
  return results.map(toView);
}

/** The role named `name`, or a 404. */
export async function requireRole(db: D1Database, name: string): Promise<RoleView> {
  const row = await db.prepare(`${SELECT_ROLE} WHERE r.name = ?`).bind(name).first<RoleRow>();
  if (!row) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return toView(row);
}

/** Creates a custom role; a 409 when the name is taken. */
export async function createRole(
  db: D1Database,
  input: { name: string; description: string; permissions: readonly string[] },
): Promise<RoleView> {
  const { meta } = await db
    .prepare('INSERT INTO roles (name, description, permissions, built_in) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING')
    .bind(input.name, input.description, JSON.stringify(canonicalPermissions(input.permissions)))
    .run();
  if (meta.changes === 0) throw new AppError('CONFLICT', `A role named ${input.name} already exists.`);
  return requireRole(db, input.name);
}

/**
 * Changes a role's description and permissions. The permissions of built-in roles are fixed (the migrations seed
 * them and a test keeps them equal to contracts): changing them is a 409, repeating them is allowed.
 */
export async function updateRole(
  db: D1Database,
  name: string,
  patch: { description?: string; permissions?: readonly string[] },
): Promise<{ before: RoleView; after: RoleView }> {
  const before = await requireRole(db, name);
  const permissions = patch.permissions && canonicalPermissions(patch.permissions);
  const changesPermissions = permissions !== undefined && !samePermissions(permissions, before.permissions);
  if (before.builtIn && changesPermissions)
    throw new AppError('ROLE_BUILT_IN', `The permissions of the built-in role ${name} cannot be changed.`);
  // The built_in condition holds the rule even if the role was replaced since it was read.
  const { meta } = await db
    .prepare(
      `UPDATE roles SET description = coalesce(?, description), permissions = coalesce(?, permissions)
       WHERE name = ? AND (built_in = 0 OR ? = 0)`,
    )
    .bind(
      patch.description ?? null,
      changesPermissions ? JSON.stringify(permissions) : null,
      name,
      changesPermissions ? 1 : 0,
    )
    .run();
  if (meta.changes === 0) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return { before, after: await requireRole(db, name) };
}

/** Deletes a custom role and every grant of it; built-in roles answer 409, unknown ones 404. */
export async function deleteRole(db: D1Database, name: string): Promise<RoleView> {
  const role = await requireRole(db, name);
  if (role.builtIn) throw new AppError('ROLE_BUILT_IN', `The built-in role ${name} cannot be deleted.`);
  // Grants go in the same batch rather than relying on the foreign key's cascade, and only if the role is custom.
  const [, deleted] = await db.batch([
    db
      .prepare('DELETE FROM user_roles WHERE role = ? AND EXISTS (SELECT 1 FROM roles WHERE name = ? AND built_in = 0)')
      .bind(name, name),
    db.prepare('DELETE FROM roles WHERE name = ? AND built_in = 0').bind(name),
  ]);
  if (!deleted || deleted.meta.changes === 0) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return role;
}

/** Which of `names` name no role. */
export async function unknownRoles(db: D1Database, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { results } = await db
    .prepare('SELECT name FROM roles WHERE name IN (SELECT value FROM json_each(?))')
    .bind(JSON.stringify(names))
    .all<{ name: string }>();
  const known = new Set(results.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

/** Every permission that the roles named in `names` grant together, without repeats. */
export async function permissionsOfRoles(db: D1Database, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT DISTINCT p.value AS permission FROM roles r, json_each(r.permissions) p
       WHERE r.name IN (SELECT value FROM json_each(?))`,
    )
    .bind(JSON.stringify(names))
    .all<{ permission: string }>();
  return results.map((r) => r.permission);
}

/** The ids of every user holding the role `name`. */
export async function holdersOf(db: D1Database, name: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT user_id FROM user_roles WHERE role = ?')
    .bind(name)
    .all<{ user_id: string }>();
  return results.map((r) => r.user_id);
}
