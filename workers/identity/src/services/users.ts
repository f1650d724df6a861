import { AppError } from '@onasis/http';

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

/** A `users` row as SELECT_USER reads it. */
export type UserRow = {
  id: string;
  email: string;
  email_verified_at: string | null;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  avatar_file_id: string | null;
  password_hash: string | null;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string | null;
  roles: string | null;
  mfa: number;
};

// One query for the user, their roles and whether a confirmed TOTP factor exists.
export const SELECT_USER = `
  SELECT u.*, (SELECT json_group_array(role) FROM user_roles WHERE user_id = u.id) AS roles,
    EXISTS (SELECT 1 FROM mfa_factors WHERE user_id = u.id AND confirmed_at IS NOT NULL) AS mfa
  FROM users u`;

export function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified_at !== null,
    emailVerifiedAt: row.email_verified_at,
    name: row.name,
    locale: row.locale,
    timezone: row.timezone,
    avatarFileId: row.avatar_file_id,
    status: row.status,
    roles: (JSON.parse(row.roles ?? '[]') as string[]).sort(),
    mfaEnabled: row.mfa === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordHash: row.password_hash,
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

/** The user with `id`, or null. */
export async function findUserById(db: D1Database, id: string): Promise<UserRecord | null> {
  const row = await db.prepare(`${SELECT_USER} WHERE u.id = ?`).bind(id).first<UserRow>();
  return row ? toRecord(row) : null;
}

/** The user with `email` (normalised here), or null. */
export async function findUserByEmail(db: D1Database, email: string): Promise<UserRecord | null> {
  const row = await db.prepare(`${SELECT_USER} WHERE u.email = ?`).bind(normaliseEmail(email)).first<UserRow>();
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
  const { results } = await db
    .prepare(
      `SELECT DISTINCT p.value AS permission FROM user_roles ur JOIN roles r ON r.name = ur.role, json_each(r.permissions) p
       WHERE ur.user_id = ? ORDER BY 1`,
    )
    .bind(userId)
    .all<{ permission: string }>();
  return results.map((r) => r.permission);
}

/** What an access token says about its user: the permissions of their roles (sorted) and their plan. */
export async function tokenClaimsOf(db: D1Database, userId: string): Promise<{ permissions: string[]; plan: string }> {
  const row = await db
    .prepare(
      `SELECT u.plan AS plan, (
         SELECT json_group_array(DISTINCT p.value) FROM user_roles ur JOIN roles r ON r.name = ur.role,
           json_each(r.permissions) p WHERE ur.user_id = u.id
       ) AS permissions
       FROM users u WHERE u.id = ?`,
    )
    .bind(userId)
    .first<{ plan: string; permissions: string | null }>();
  const permissions = (JSON.parse(row?.permissions ?? '[]') as (string | null)[]).filter(
    (p): p is string => typeof p === 'string',
  );
  return { permissions: permissions.sort(), plan: row?.plan ?? 'free' };
}
