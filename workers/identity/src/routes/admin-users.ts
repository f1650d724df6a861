import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { grantorOf, grantRefusal, grantRefused } from '../services/grants.js';
import { forget, revokeSessionsOf } from '../services/revocation.js';
import { permissionsOfRoles } from '../services/roles.js';
import { sessionsOf } from '../services/sessions.js';
import { listUsers, replaceUserRoles, updateUser } from '../services/user-admin.js';
import { permissionsOf, requireUser, viewOf } from '../services/users.js';
import { decodeCursor, needs, page, problems, refusing } from './admin-common.js';
import { UserSchema } from './auth-schemas.js';

const USER_ID = /^usr_[A-Za-z0-9]+$/;

const UserListQuery = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Part of the email address or name.' }),
  status: z.enum(['active', 'disabled']).optional(),
  role: z.string().min(1).max(64).optional().openapi({ description: 'Only holders of this role.' }),
});

const IdParams = z.object({
  id: z
    .string()
    .regex(USER_ID)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'usr_3f9c0a1b2c3d4e5f60718293' }),
});

const UpdateUserSchema = z
  .object({
    status: z.enum(['active', 'disabled']).optional().openapi({
      description: 'Disabling signs the user out everywhere; admins cannot disable themselves.',
    }),
    name: DisplayNameSchema.nullable().optional(),
  })
  .refine((b) => b.status !== undefined || b.name !== undefined, 'Give status, name or both.')
  .openapi('UpdateUser');

const ReplaceRolesSchema = z
  .object({
    roles: z
      .array(z.string().min(1).max(64))
      .max(50)
      .openapi({ example: ['member'] }),
  })
  .openapi('ReplaceUserRoles');

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/**
 * Only ids of users reach these handlers: `/api/v1/users/me…` belongs to the self-service routes, and whatever
 * method those do not answer must not be read as a user named `me`.
 */
const userIdOnly: MiddlewareHandler = async function userIdOnly(c, next) {
  await refusing(c, () => {
    if (!USER_ID.test(c.req.param('id') ?? '')) throw new AppError('NOT_FOUND', 'No such user.');
  });
  await next();
};

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/users',
  tags: ['identity'],
  summary: 'List users',
  description: 'Users oldest first, filtered by search term, status and role. Needs `users:read`.',
  middleware: [needs('users:read')] as const,
  request: { query: UserListQuery },
  responses: { 200: json(listOf(UserSchema), 'One page of users'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/users/{id}',
  tags: ['identity'],
  summary: 'Get a user',
  description: 'Needs `users:read`.',
  middleware: [userIdOnly, needs('users:read')] as const,
  request: { params: IdParams },
  responses: { 200: json(UserSchema, 'The user'), ...problems(401, 403, 404) },
});

const updateRoute = createRoute({
  method: 'patch',
  path: '/api/v1/users/{id}',
  tags: ['identity'],
  summary: 'Enable, disable or rename a user',
  description:
    'Disabling revokes every session of the user. The last active admin cannot be disabled. Needs `users:write`, ' +
    'and a user holding a permission you do not hold (or the admin role, unless you are an admin) is refused with ' +
    '403; audited as `user.disabled`, `user.enabled` and `user.updated`, refusals as `user.update_refused`.',
  middleware: [userIdOnly, needs('users:write')] as const,
  request: {
    params: IdParams,
    body: { required: true, content: { 'application/json': { schema: UpdateUserSchema } } },
  },
  responses: { 200: json(UserSchema, 'The updated user'), ...problems(400, 401, 403, 404, 409, 415) },
});

const replaceRolesRoute = createRoute({
  method: 'put',
  path: '/api/v1/users/{id}/roles',
  tags: ['identity'],
  summary: "Replace a user's roles",
  description:
    'Sets exactly these roles, atomically. The last active admin keeps the admin role (409). Needs `users:write`, ' +
    'and every role added or removed must grant only permissions you hold; only admins grant or remove the admin ' +
    'role and roles with `users:write` or `roles:write`, and nobody adds roles to themselves (403). A user who loses ' +
    'a permission is signed out everywhere (within 30 s at the gateway); one who only gains gets the new ' +
    'permissions with their next access token. Audited as `user.roles_changed`, refusals as `user.roles_change_refused`.',
  middleware: [userIdOnly, needs('users:write')] as const,
  request: {
    params: IdParams,
    body: { required: true, content: { 'application/json': { schema: ReplaceRolesSchema } } },
  },
  responses: { 200: json(UserSchema, 'The user with the new roles'), ...problems(400, 401, 403, 404, 409, 415) },
});

const UserCursor = z.object({ createdAt: z.string(), id: z.string() });

/** `/api/v1/users` and `/api/v1/users/{id}…`: user administration; every change is audited. */
export function userAdminRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const after = cursor === undefined ? undefined : decodeCursor(cursor, UserCursor);
    const rows = await listUsers(c.env.DB, { ...filter, after, limit: limit + 1 });
    return c.json(
      page(rows, limit, (u) => ({ createdAt: u.createdAt, id: u.id })),
      200,
    );
  });

  app.openapi(getRoute, async (c) => c.json(viewOf(await requireUser(c.env.DB, c.req.valid('param').id)), 200));

  app.openapi(updateRoute, async (c) => {
    const principal = requirePrincipal(c);
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const target = { actorId: principal.userId, targetType: 'user', targetId: id };
    if (patch.status === 'disabled' && id === principal.userId)
      throw new AppError('CONFLICT', 'You cannot disable your own account.');
    if (id !== principal.userId) {
      // Nobody below a user may switch them off (or rename them): that would be a way to act on someone above you.
      const subject = await requireUser(c.env.DB, id);
      const refusal = grantRefusal(
        await grantorOf(c.env.DB, principal.userId),
        await permissionsOf(c.env.DB, id),
        subject.roles,
      );
      if (refusal) {
        await audit(c, { ...target, action: 'user.update_refused', outcome: 'failure', data: { reason: refusal } });
        throw grantRefused(`You cannot change this user. ${refusal}`);
      }
    }
    const { before, after } = await updateUser(c.env.DB, id, patch);
    // Revoked on every disabling request, not only the first: a retry after a failed revocation finishes the job.
    let sessionsRevoked: number | null = null;
    let revokeError: unknown;
    if (patch.status === 'disabled') {
      try {
        sessionsRevoked = await sessionsOf(c.env, id).revokeAll('user_disabled');
      } catch (err) {
        revokeError = err;
      }
    }
    if (before.status !== after.status) {
      await audit(c, {
        ...target,
        action: after.status === 'disabled' ? 'user.disabled' : 'user.enabled',
        data: { before: { status: before.status }, after: { status: after.status }, sessionsRevoked },
      });
    }
    if (before.name !== after.name) {
      await audit(c, {
        ...target,
        action: 'user.updated',
        data: { before: { name: before.name }, after: { name: after.name } },
      });
    }
    if (revokeError !== undefined) throw revokeError;
    if (patch.status === 'disabled') forget(c, { users: [id] });
    return c.json(after, 200);
  });

  app.openapi(replaceRolesRoute, async (c) => {
    const principal = requirePrincipal(c);
    const { id } = c.req.valid('param');
    const db = c.env.DB;
    const wanted = [...new Set(c.req.valid('json').roles)];
    const current = await requireUser(db, id);
    const added = wanted.filter((r) => !current.roles.includes(r));
    const changed = [...added, ...current.roles.filter((r) => !wanted.includes(r))];
    const refuse = async (reason: string) => {
      await audit(c, {
        action: 'user.roles_change_refused',
        outcome: 'failure',
        actorId: principal.userId,
        targetType: 'user',
        targetId: id,
        data: { reason, before: current.roles, requested: wanted },
      });
      return grantRefused(reason);
    };
    if (id === principal.userId && added.length > 0) throw await refuse('You cannot give yourself roles.');
    const refusal = grantRefusal(await grantorOf(db, principal.userId), await permissionsOfRoles(db, changed), changed);
    if (refusal) throw await refuse(refusal);
    const heldBefore = await permissionsOf(db, id);
    const { before, after } = await replaceUserRoles(db, id, wanted);
    if (before.roles.join() === after.roles.join()) return c.json(after, 200);
    // Losing a permission must take effect now, not when the access token expires: every session ends, and the
    // gateway drops what it cached of the user. Gaining one can wait for the next token.
    const heldAfter = new Set(await permissionsOf(db, id));
    const lost = heldBefore.filter((p) => !heldAfter.has(p));
    const sessionsRevoked = lost.length > 0 ? await revokeSessionsOf(c.env, [id], 'roles_changed') : 0;
    await audit(c, {
      action: 'user.roles_changed',
      actorId: principal.userId,
      targetType: 'user',
      targetId: id,
      data: { before: before.roles, after: after.roles, permissionsLost: lost, sessionsRevoked },
    });
    if (lost.length > 0) forget(c, { users: [id] });
    return c.json(after, 200);
  });
}
