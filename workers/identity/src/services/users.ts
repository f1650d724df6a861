import { AppError } from '@onasis/http';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';

/** A user as the API shows it. */
export interface UserView {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  avatarFileId: string | null;
  status: 'active' | 'disabled';
  roles: string[];
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string | null;
}

/** A user row with what sign-in needs. */
export interface UserRecord extends UserView {
  passwordHash: string | null;
  emailVerifiedAt: string | null;
}

// One query for the user, their roles and whether a confirmed TOTP factor exists: `GET /api/v1/users/me` is hot.
const userWithRoles = {
  ...getTableColumns(users),
  // Raw SQL: drizzle has no json_group_array, and a join would need a second query or a GROUP BY over every column.
  // Tables are named in full: drizzle leaves columns bare inside a selected expression.
  roles: sql<string | null>`(SELECT json_group_array(ur.role) FROM user_roles ur WHERE ur.user_id = users.id)`,
  mfa: sql<number>`EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)`,
};

type UserWithRolesRow = typeof users.$inferSelect & { roles: string | null; mfa: number };

function toRecord(row: UserWithRolesRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerifiedAt !== null,
    emailVerifiedAt: row.emailVerifiedAt,
    name: row.name,
    locale: row.locale,
    timezone: row.timezone,
    avatarFileId: row.avatarFileId,
    status: row.status,
    roles: (JSON.parse(row.roles ?? '[]') as string[]).sort(),
    mfaEnabled: row.mfa === 1,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    passwordHash: row.passwordHash,
  };
}

/** The public view of a user record (no password hash). */
export function viewOf(user: UserRecord): UserView {
  const { passwordHash: _hash, emailVerifiedAt: _verified, ...view } = user;
  return view;
}

/** Trims and lower-cases an email address so that one mailbox maps to one account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function prepareUserById(db: D1Database) {
  return dbOf(db)
    .select(userWithRoles)
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
}

// Prepared once per binding: building this query cost `GET /api/v1/users/me` more than 5% of its CPU per request.
const userById = new WeakMap<D1Database, ReturnType<typeof prepareUserById>>();

/** The user with `id`, or null. */
export async function findUserById(db: D1Database, id: string): Promise<UserRecord | null> {
  let query = userById.get(db);
  if (query === undefined) {
    query = prepareUserById(db);
    userById.set(db, query);
  }
  const row = await query.get({ id });
  return row ? toRecord(row) : null;
}

/** The user with `email` (normalised here), or null. */
export async function findUserByEmail(db: D1Database, email: string): Promise<UserRecord | null> {
  const row = await dbOf(db)
    .select(userWithRoles)
    .from(users)
    .where(eq(users.email, normaliseEmail(email)))
    .get();
  return row ? toRecord(row) : null;
}

/** The user with `id`, or a 404. */
export async function requireUser(db: D1Database, id: string): Promise<UserRecord> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  return user;
}

/** Every permission the roles of `userId` grant, sorted and without repeats. */
export async function permissionsOf(db: D1Database, userId: string): Promise<string[]> {
  // Raw SQL: the permissions are a JSON array per role, which only json_each can spread into rows.
  const rows = await dbOf(db).all<{ permission: string }>(
    sql`SELECT DISTINCT p.value AS permission FROM user_roles ur JOIN roles r ON r.name = ur.role,
        json_each(r.permissions) p WHERE ur.user_id = ${userId} ORDER BY 1`,
  );
  return rows.map((r) => r.permission);
}

/** What an access token says about its user: the permissions of their roles (sorted) and their plan. */
export async function tokenClaimsOf(db: D1Database, userId: string): Promise<{ permissions: string[]; plan: string }> {
  const row = await dbOf(db)
    .select({
      plan: users.plan,
      // Raw SQL: json_each spreads each role's JSON permissions, json_group_array gathers them in the same query.
      permissions: sql<string | null>`(
        SELECT json_group_array(DISTINCT p.value) FROM user_roles ur JOIN roles r ON r.name = ur.role,
          json_each(r.permissions) p WHERE ur.user_id = users.id
      )`,
    })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  const permissions = (JSON.parse(row?.permissions ?? '[]') as (string | null)[]).filter(
    (p): p is string => typeof p === 'string',
  );
  return { permissions: permissions.sort(), plan: row?.plan ?? 'free' };
}

/** Replaces a password hash made with older parameters, unless the password changed meanwhile. */
export async function upgradePasswordHash(d1: D1Database, userId: string, from: string, to: string): Promise<void> {
  await dbOf(d1)
    .update(users)
    .set({ passwordHash: to })
    .where(and(eq(users.id, userId), eq(users.passwordHash, from)))
    .run();
}
