import { PERMISSIONS, type Permission } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, exists, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import { type Db, dbOf } from '../db/client.js';
import { roles, userRoles } from '../db/schema.js';

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

/** The columns of a role as `toView` reads it: the row and how many users hold it. */
function roleColumns(db: Db) {
  return { ...getTableColumns(roles), members: db.$count(userRoles, eq(userRoles.role, roles.name)) };
}

function toView(row: typeof roles.$inferSelect & { members: number }): RoleView {
  return {
    name: row.name,
    description: row.description,
    // Stored order (built-ins keep their seeded order); strings no longer in the registry grant nothing and are hidden.
    permissions: [...new Set(row.permissions)].filter(isPermission),
    builtIn: row.builtIn,
    memberCount: row.members,
    createdAt: row.createdAt,
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
function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  const x = canonicalPermissions(a);
  const y = canonicalPermissions(b);
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/** Up to `limit` roles by name, after the role named `after`. */
export async function listRoles(d1: D1Database, page: { limit: number; after?: string }): Promise<RoleView[]> {
  const db = dbOf(d1);
  const rows = await db
    .select(roleColumns(db))
    .from(roles)
    .where(gt(roles.name, page.after ?? ''))
    .orderBy(roles.name)
    .limit(page.limit);
  return rows.map(toView);
}

/** The role named `name`, or a 404. */
export async function requireRole(d1: D1Database, name: string): Promise<RoleView> {
  const db = dbOf(d1);
  const [row] = await db.select(roleColumns(db)).from(roles).where(eq(roles.name, name));
  if (!row) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return toView(row);
}

/** Creates a custom role; a 409 when the name is taken. */
export async function insertRole(
  d1: D1Database,
  input: { name: string; description: string; permissions: readonly string[] },
): Promise<RoleView> {
  const created = await dbOf(d1)
    .insert(roles)
    .values({
      name: input.name,
      description: input.description,
      permissions: canonicalPermissions(input.permissions),
      builtIn: false,
    })
    .onConflictDoNothing()
    .returning({ name: roles.name });
  if (created.length === 0) throw new AppError('CONFLICT', `A role named ${input.name} already exists.`);
  return requireRole(d1, input.name);
}

/**
 * Changes a role's description and permissions. The permissions of built-in roles are fixed (the migrations seed
 * them and a test keeps them equal to contracts): changing them is a 409, repeating them is allowed.
 */
export async function saveRolePatch(
  d1: D1Database,
  name: string,
  patch: { description?: string; permissions?: readonly string[] },
): Promise<{ before: RoleView; after: RoleView }> {
  const before = await requireRole(d1, name);
  const permissions = patch.permissions && canonicalPermissions(patch.permissions);
  const changesPermissions = permissions !== undefined && !samePermissions(permissions, before.permissions);
  if (before.builtIn && changesPermissions)
    throw new AppError('ROLE_BUILT_IN', `The permissions of the built-in role ${name} cannot be changed.`);
  const updated = await dbOf(d1)
    .update(roles)
    .set({
      // Set to itself when not given, so that an update of nothing still tells whether the role exists.
      description: patch.description ?? sql`${roles.description}`,
      ...(changesPermissions ? { permissions } : {}),
    })
    // The built_in condition holds the rule even if the role was replaced since it was read.
    .where(and(eq(roles.name, name), changesPermissions ? eq(roles.builtIn, false) : undefined))
    .returning({ name: roles.name });
  if (updated.length === 0) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return { before, after: await requireRole(d1, name) };
}

/** Deletes a custom role and every grant of it; built-in roles answer 409, unknown ones 404. */
export async function removeRole(d1: D1Database, name: string): Promise<RoleView> {
  const role = await requireRole(d1, name);
  if (role.builtIn) throw new AppError('ROLE_BUILT_IN', `The built-in role ${name} cannot be deleted.`);
  const db = dbOf(d1);
  const custom = and(eq(roles.name, name), eq(roles.builtIn, false));
  // Grants go in the same batch rather than relying on the foreign key's cascade, and only if the role is custom.
  const [, deleted] = await db.batch([
    db
      .delete(userRoles)
      .where(and(eq(userRoles.role, name), exists(db.select({ name: roles.name }).from(roles).where(custom)))),
    db.delete(roles).where(custom).returning({ name: roles.name }),
  ]);
  if (deleted.length === 0) throw new AppError('NOT_FOUND', `No role named ${name}.`);
  return role;
}

/** Which of `names` (at most 50, a request's) name no role. */
export async function unknownRoles(d1: D1Database, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await dbOf(d1)
    .select({ name: roles.name })
    .from(roles)
    .where(inArray(roles.name, [...names]));
  const known = new Set(rows.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

/** Every permission that the roles named in `names` grant together, without repeats. */
export async function permissionsOfRoles(d1: D1Database, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  // Raw SQL: json_each expands the permission arrays, which drizzle's query builder cannot join; the names go in
  // as one JSON parameter, so however many roles a user holds the statement stays within D1's bound-parameter limit.
  const rows = await dbOf(d1).all<{ permission: string }>(
    sql`SELECT DISTINCT p.value AS permission FROM ${roles}, json_each(${roles.permissions}) p
      WHERE ${roles.name} IN (SELECT value FROM json_each(${JSON.stringify(names)}))`,
  );
  return rows.map((r) => r.permission);
}

/** The ids of every user holding the role `name`. */
export async function holdersOf(d1: D1Database, name: string): Promise<string[]> {
  const rows = await dbOf(d1).select({ userId: userRoles.userId }).from(userRoles).where(eq(userRoles.role, name));
  return rows.map((r) => r.userId);
}
