import { AppError, afterCreatedAt } from '@onasis/http';
import { and, eq, exists, isNotNull, ne, not, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { type Db, dbOf } from '../db/client.js';
import { mfaFactors, userRoles, users } from '../db/schema.js';
import { unknownRoles } from './roles.js';
import { findUserById, requireUser, type UserView, viewOf } from './users.js';

/** The role whose last active holder must keep it, so that someone can still administer the platform. */
export const ADMIN_ROLE = 'admin';

// Raw SQL: json_group_array gathers the roles into the user's row, which drizzle's query builder cannot say. Nested,
// so that its columns stay qualified (drizzle drops the table from the columns of a single-table select).
const rolesQuery = sql`SELECT json_group_array(${userRoles.role}) FROM ${userRoles} WHERE ${userRoles.userId} = ${users.id}`;
const rolesColumn = sql<string>`(${rolesQuery})`;

/**
 * Users in (created_at, id) order, one page of `limit` after `after`, filtered by a case-insensitive substring of
 * email or name, by status and by role. The search scans: it is an admin tool, not a hot path.
 */
export async function listUsers(
  d1: D1Database,
  filter: {
    q?: string;
    status?: 'active' | 'disabled';
    role?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  },
): Promise<UserView[]> {
  const db = dbOf(d1);
  const q = filter.q?.toLowerCase();
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      name: users.name,
      locale: users.locale,
      timezone: users.timezone,
      avatarFileId: users.avatarFileId,
      status: users.status,
      roles: rolesColumn,
      mfaFactors: db.$count(mfaFactors, and(eq(mfaFactors.userId, users.id), isNotNull(mfaFactors.confirmedAt))),
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    })
    .from(users)
    .where(
      and(
        // instr, not LIKE: no wildcard characters in the search term to escape. Emails are stored lower-cased.
        q ? or(sql`instr(${users.email}, ${q}) > 0`, sql`instr(lower(${users.name}), ${q}) > 0`) : undefined,
        filter.status ? eq(users.status, filter.status) : undefined,
        filter.role
          ? exists(
              db
                .select({ role: userRoles.role })
                .from(userRoles)
                .where(and(eq(userRoles.userId, users.id), eq(userRoles.role, filter.role))),
            )
          : undefined,
        afterCreatedAt(users, filter.after, 'asc'),
      ),
    )
    .orderBy(users.createdAt, users.id)
    .limit(filter.limit);
  return rows.map(({ emailVerifiedAt, roles, mfaFactors: confirmed, ...user }) => ({
    id: user.id,
    email: user.email,
    emailVerified: emailVerifiedAt !== null,
    name: user.name,
    locale: user.locale,
    timezone: user.timezone,
    avatarFileId: user.avatarFileId,
    status: user.status,
    roles: (JSON.parse(roles) as string[]).sort(),
    mfaEnabled: confirmed > 0,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  }));
}

const grant = alias(userRoles, 'grant');
const holder = alias(users, 'holder');

/**
 * True unless taking admin power from user `id` would leave no active admin: `id` is no active admin, or some other
 * active user holds the admin role. Evaluated inside the statement that makes the change, so two admins demoting
 * each other at once cannot both succeed.
 */
function anotherAdminRemains(db: Db, id: string): SQL | undefined {
  const activeAdmin = (who: SQL | undefined) =>
    exists(
      db
        .select({ id: holder.id })
        .from(grant)
        .innerJoin(holder, eq(holder.id, grant.userId))
        .where(and(eq(grant.role, ADMIN_ROLE), eq(holder.status, 'active'), who)),
    );
  return or(not(activeAdmin(eq(holder.id, id))), activeAdmin(ne(holder.id, id)));
}

const lastAdmin = () => new AppError('CONFLICT', 'This is the last active admin; make someone else an admin first.');

/**
 * Changes a user's status and name. Disabling the last active admin is refused in the same statement that would
 * do it, so two admins disabling each other at once cannot both succeed. Session revocation is the caller's part.
 */
export async function saveUserPatch(
  d1: D1Database,
  id: string,
  patch: { status?: 'active' | 'disabled'; name?: string | null },
): Promise<{ before: UserView; after: UserView }> {
  const before = viewOf(await requireUser(d1, id));
  const db = dbOf(d1);
  const updated = await db
    .update(users)
    .set({
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      updatedAt: sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    })
    .where(and(eq(users.id, id), patch.status === 'disabled' ? anotherAdminRemains(db, id) : undefined))
    .returning({ id: users.id });
  const after = await findUserById(d1, id);
  if (!after) throw new AppError('NOT_FOUND', 'No such user.');
  if (updated.length === 0) throw lastAdmin();
  return { before, after: viewOf(after) };
}

/**
 * Replaces the roles of a user in one batch. Every statement of the batch carries the last-admin condition, so the
 * check and the change are one transaction: either the whole new set is in place, or nothing changed.
 */
export async function saveUserRoles(
  d1: D1Database,
  id: string,
  roles: readonly string[],
): Promise<{ before: UserView; after: UserView }> {
  const wanted = [...new Set(roles)].sort();
  const before = viewOf(await requireUser(d1, id));
  const unknown = await unknownRoles(d1, wanted);
  if (unknown.length > 0) throw unknownRoleError(roles, unknown);
  const db = dbOf(d1);
  const guard = wanted.includes(ADMIN_ROLE) ? undefined : anotherAdminRemains(db, id);
  // Raw SQL: json_group_array gathers the roles into one value, which drizzle's query builder cannot say.
  const rolesOf = () =>
    db
      .select({ roles: sql<string>`json_group_array(${userRoles.role})` })
      .from(userRoles)
      .where(eq(userRoles.userId, id));
  let results: [{ roles: string }[], unknown, unknown, { roles: string }[]];
  try {
    results = await db.batch([
      rolesOf(),
      db.delete(userRoles).where(and(eq(userRoles.userId, id), guard)),
      // Raw SQL: the rows come from json_each over the wanted roles, which drizzle's query builder cannot select from.
      db
        .insert(userRoles)
        .select(sql`SELECT ${id}, value FROM json_each(${JSON.stringify(wanted)}) WHERE ${guard ?? sql`1`}`),
      rolesOf(),
    ]);
  } catch (err) {
    // A role or the user deleted since they were checked: the foreign keys fail the batch and nothing changed.
    if (!String(err).includes('FOREIGN KEY')) throw err;
    await requireUser(d1, id);
    const vanished = await unknownRoles(d1, wanted);
    throw vanished.length > 0 ? unknownRoleError(roles, vanished) : err;
  }
  // Read inside the batch's transaction, so a concurrent change cannot pass for a refusal or the other way round.
  const rolesAt = (rows: { roles: string }[]) => (JSON.parse(rows[0]?.roles ?? '[]') as string[]).sort();
  const [previous, current] = [rolesAt(results[0]), rolesAt(results[3])];
  if (current.length !== wanted.length || current.some((r, i) => r !== wanted[i])) throw lastAdmin();
  const after = await findUserById(d1, id);
  return {
    before: { ...before, roles: previous },
    after: after ? { ...viewOf(after), roles: current } : { ...before, roles: current },
  };
}

function unknownRoleError(requested: readonly string[], unknown: readonly string[]): AppError {
  return new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
    errors: unknown.map((name) => ({ path: `roles.${requested.indexOf(name)}`, message: `No role named ${name}.` })),
  });
}
