import { AppError } from '@onasis/http';
import { unknownRoles } from './roles.js';
import { findUserById, requireUser, SELECT_USER, toRecord, type UserRow, type UserView, viewOf } from './users.js';

/** The role whose last active holder must keep it, so that someone can still administer the platform. */
export const ADMIN_ROLE = 'admin';

/** Where a page of users starts: after this (created_at, id). */
export interface UserCursor {
  createdAt: string;
  id: string;
}

/**
 * Users in (created_at, id) order, one page of `limit` after `after`, filtered by a case-insensitive substring of
 * email or name, by status and by role. The search scans: it is an admin tool, not a hot path.
 */
export async function listUsers(
  db: D1Database,
  filter: { q?: string; status?: 'active' | 'disabled'; role?: string; after?: UserCursor; limit: number },
): Promise<UserView[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.q) {
    // instr, not LIKE: no wildcard characters in the search term to escape. Emails are stored lower-cased.
    where.push('(instr(u.email, ?) > 0 OR instr(lower(u.name), ?) > 0)');
    const q = filter.q.toLowerCase();
    params.push(q, q);
  }
  if (filter.status) {
    where.push('u.status = ?');
    params.push(filter.status);
  }
  if (filter.role) {
    where.push('EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)');
    params.push(filter.role);
  }
  if (filter.after) {
    where.push('(u.created_at, u.id) > (?, ?)');
    params.push(filter.after.createdAt, filter.after.id);
  }
  const { results } = await db
    .prepare(
      `${SELECT_USER} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY u.created_at, u.id LIMIT ?`,
    )
    .bind(...params, filter.limit)
    .all<UserRow>();
  return results.map((row) => viewOf(toRecord(row)));
}

// True when some active user other than ?1 holds the admin role.
const OTHER_ACTIVE_ADMIN = `EXISTS (SELECT 1 FROM user_roles oa JOIN users o ON o.id = oa.user_id
  WHERE oa.role = '${ADMIN_ROLE}' AND o.status = 'active' AND o.id <> ?1)`;
// True when ?1 is an active admin.
const IS_ACTIVE_ADMIN = `EXISTS (SELECT 1 FROM user_roles ta JOIN users t ON t.id = ta.user_id
  WHERE ta.role = '${ADMIN_ROLE}' AND t.status = 'active' AND t.id = ?1)`;

const lastAdmin = () => new AppError('CONFLICT', 'This is the last active admin; make someone else an admin first.');

/**
 * Changes a user's status and name. Disabling the last active admin is refused in the same statement that would
 * do it, so two admins disabling each other at once cannot both succeed. Session revocation is the caller's part.
 */
export async function updateUser(
  db: D1Database,
  id: string,
  patch: { status?: 'active' | 'disabled'; name?: string | null },
): Promise<{ before: UserView; after: UserView }> {
  const before = viewOf(await requireUser(db, id));
  const { meta } = await db
    .prepare(
      `UPDATE users SET status = coalesce(?2, status), name = CASE WHEN ?3 THEN ?4 ELSE name END,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       WHERE id = ?1 AND (coalesce(?2, status) <> 'disabled' OR NOT ${IS_ACTIVE_ADMIN} OR ${OTHER_ACTIVE_ADMIN})`,
    )
    .bind(id, patch.status ?? null, patch.name !== undefined ? 1 : 0, patch.name ?? null)
    .run();
  const after = await findUserById(db, id);
  if (!after) throw new AppError('NOT_FOUND', 'No such user.');
  if (meta.changes === 0) throw lastAdmin();
  return { before, after: viewOf(after) };
}

/**
 * Replaces the roles of a user in one batch. Every statement of the batch carries the last-admin condition, so the
 * check and the change are one transaction: either the whole new set is in place, or nothing changed.
 */
export async function replaceUserRoles(
  db: D1Database,
  id: string,
  roles: readonly string[],
): Promise<{ before: UserView; after: UserView }> {
  const wanted = [...new Set(roles)].sort();
  const before = viewOf(await requireUser(db, id));
  const unknown = await unknownRoles(db, wanted);
  if (unknown.length > 0) throw unknownRoleError(roles, unknown);
  const guard = `(?2 = 1 OR NOT ${IS_ACTIVE_ADMIN} OR ${OTHER_ACTIVE_ADMIN})`;
  const keepsAdmin = wanted.includes(ADMIN_ROLE) ? 1 : 0;
  const rolesOf = db.prepare('SELECT json_group_array(role) AS roles FROM user_roles WHERE user_id = ?').bind(id);
  let results: D1Result<{ roles: string }>[];
  try {
    results = await db.batch<{ roles: string }>([
      rolesOf,
      db.prepare(`DELETE FROM user_roles WHERE user_id = ?1 AND ${guard}`).bind(id, keepsAdmin),
      db
        .prepare(`INSERT INTO user_roles (user_id, role) SELECT ?1, value FROM json_each(?3) WHERE ${guard}`)
        .bind(id, keepsAdmin, JSON.stringify(wanted)),
      rolesOf,
    ]);
  } catch (err) {
    // A role or the user deleted since they were checked: the foreign keys fail the batch and nothing changed.
    if (!String(err).includes('FOREIGN KEY')) throw err;
    await requireUser(db, id);
    const vanished = await unknownRoles(db, wanted);
    throw vanished.length > 0 ? unknownRoleError(roles, vanished) : err;
  }
  // Read inside the batch's transaction, so a concurrent change cannot pass for a refusal or the other way round.
  const rolesAt = (i: number) => (JSON.parse(results[i]?.results[0]?.roles ?? '[]') as string[]).sort();
  const [previous, current] = [rolesAt(0), rolesAt(3)];
  if (current.length !== wanted.length || current.some((r, i) => r !== wanted[i])) throw lastAdmin();
  const after = await findUserById(db, id);
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
