import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import {
  access,
  createdAtPosition,
  jsonBody,
  jsonResponse,
  pageByCreatedAt,
  requirePrincipal,
  resourceApp,
} from '@onasis/http';
import type { AppEnv } from '../context.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { replaceUserRoles } from '../services/replace-user-roles.js';
import { requestDeps } from '../services/request-deps.js';
import { forget } from '../services/revocation.js';
import { updateUser } from '../services/update-user.js';
import { listUsers } from '../services/user-admin.js';
import { requireUser, viewOf } from '../services/users.js';
import { adminUserCredentialsApp } from './admin-user-credentials.js';
import { UserSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const UserListQuery = ListQuerySchema.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Part of the email address or name.' }),
  status: z.enum(['active', 'disabled']).optional(),
  role: z.string().min(1).max(64).optional().openapi({ description: 'Only holders of this role.' }),
});

// Any id is taken and an unknown one is a 404, never a 400: `/api/v1/users/me…` paths that the self-service resource
// does not answer (`PUT /api/v1/users/me/roles`) land here, and must read as no such user.
const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
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

/** `/api/v1/users` and `/api/v1/users/{id}…`: user administration; every change is audited. */
export const adminUsersApp = resourceApp<AppEnv>();

adminUsersApp.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['identity'],
    summary: 'List users',
    description: 'Users oldest first, filtered by search term, status and role. Needs `users:read`.',
    ...access('users:read'),
    request: { query: UserListQuery },
    responses: { 200: jsonResponse(listOf(UserSchema), 'One page of users'), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const after = cursor === undefined ? undefined : createdAtPosition(cursor);
    const rows = await listUsers(c.env.DB, { ...filter, after, limit: limit + 1 });
    return c.json(
      pageByCreatedAt(rows, limit, (u) => u),
      200,
    );
  },
);

adminUsersApp.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['identity'],
    summary: 'Get a user',
    description: 'Needs `users:read`.',
    ...access('users:read'),
    request: { params: IdParams },
    responses: { 200: jsonResponse(UserSchema, 'The user'), ...problems(401, 403, 404) },
  }),
  async (c) => c.json(viewOf(await requireUser(c.env.DB, c.req.valid('param').id)), 200),
);

adminUsersApp.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    tags: ['identity'],
    summary: 'Enable, disable or rename a user',
    description:
      'Disabling revokes every session of the user. The last active admin cannot be disabled. Needs `users:write`, ' +
      'and a user holding a permission you do not hold (or the admin role, unless you are an admin) is refused with ' +
      '403; audited as `user.disabled`, `user.enabled` and `user.updated`, refusals as `user.update_refused`.',
    ...access('users:write'),
    request: { params: IdParams, ...jsonBody(UpdateUserSchema) },
    responses: { 200: jsonResponse(UserSchema, 'The updated user'), ...problems(400, 401, 403, 404, 409, 415) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const user = await updateUser(requestDeps(c), {
      actorId: requirePrincipal(c).userId,
      userId: id,
      patch: c.req.valid('json'),
    });
    // Whatever changed (status or name), the gateway drops what it cached of the user and their API keys.
    forget(c, { users: [id] });
    return c.json(user, 200);
  },
);

adminUsersApp.openapi(
  createRoute({
    method: 'put',
    path: '/{id}/roles',
    tags: ['identity'],
    summary: "Replace a user's roles",
    description:
      'Sets exactly these roles, atomically. The last active admin keeps the admin role (409). Needs `users:write`, ' +
      'and every role added or removed must grant only permissions you hold; only admins grant or remove the admin ' +
      'role and roles with `users:write` or `roles:write`, and nobody adds roles to themselves (403). A user who loses ' +
      'a permission is signed out everywhere (within 30 s at the gateway); one who only gains gets the new ' +
      'permissions with their next access token. Audited as `user.roles_changed`, refusals as `user.roles_change_refused`.',
    ...access('users:write'),
    request: { params: IdParams, ...jsonBody(ReplaceRolesSchema) },
    responses: {
      200: jsonResponse(UserSchema, 'The user with the new roles'),
      ...problems(400, 401, 403, 404, 409, 415),
    },
  }),
  async (c) => {
    const { user, signedOut } = await replaceUserRoles(requestDeps(c), {
      actorId: requirePrincipal(c).userId,
      userId: c.req.valid('param').id,
      roles: c.req.valid('json').roles,
    });
    if (signedOut.length > 0) forget(c, { users: signedOut });
    return c.json(user, 200);
  },
);

adminUsersApp.route('/', adminUserCredentialsApp);
