import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf, PERMISSIONS } from '@onasis/contracts';
import { access, decodeCursor, jsonBody, jsonResponse, pageOf, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { createRole } from '../services/create-role.js';
import { deleteRole } from '../services/delete-role.js';
import { requestDeps } from '../services/request-deps.js';
import { forget } from '../services/revocation.js';
import { listRoles, requireRole } from '../services/roles.js';
import { updateRole } from '../services/update-role.js';
import { problems } from './problems.js';

const PermissionSchema = z.enum(PERMISSIONS).openapi('Permission');

const RoleSchema = z
  .object({
    name: z.string().openapi({ example: 'support' }),
    description: z.string(),
    permissions: z.array(PermissionSchema),
    builtIn: z.boolean().openapi({ description: 'Built-in roles cannot be deleted and their permissions are fixed.' }),
    memberCount: z.number().int().openapi({ description: 'How many users hold the role.' }),
    createdAt: z.string().openapi({ example: '2026-01-01T00:00:00.000Z' }),
  })
  .openapi('Role');

const CreateRoleSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,39}$/, 'A lower-case slug of 2 to 40 characters, starting with a letter.')
      .openapi({ example: 'support' }),
    description: z.string().trim().max(500).default(''),
    permissions: z.array(PermissionSchema).max(100),
  })
  .openapi('CreateRole');

const UpdateRoleSchema = z
  .object({
    description: z.string().trim().max(500).optional(),
    permissions: z.array(PermissionSchema).max(100).optional(),
  })
  .refine((b) => b.description !== undefined || b.permissions !== undefined, 'Give description, permissions or both.')
  .openapi('UpdateRole');

const NameParams = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'name', in: 'path' } }),
});

const NameCursor = z.object({ name: z.string() });

/** `/api/v1/roles`: read with `roles:read`, change with `roles:write`; every change is audited. */
export const rolesApp = resourceApp<AppEnv>();

rolesApp.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['identity'],
    summary: 'List roles',
    description: 'Every role by name, with its permissions and number of members. Needs `roles:read`.',
    ...access('roles:read'),
    request: { query: ListQuerySchema },
    responses: { 200: jsonResponse(listOf(RoleSchema), 'One page of roles'), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor === undefined ? undefined : decodeCursor(cursor, NameCursor).name;
    const rows = await listRoles(c.env.DB, { limit: limit + 1, after });
    return c.json(
      pageOf(
        rows,
        limit,
        (r) => r,
        (r) => ({ name: r.name }),
      ),
      200,
    );
  },
);

rolesApp.openapi(
  createRoute({
    method: 'get',
    path: '/{name}',
    tags: ['identity'],
    summary: 'Get a role',
    description: 'Needs `roles:read`.',
    ...access('roles:read'),
    request: { params: NameParams },
    responses: { 200: jsonResponse(RoleSchema, 'The role'), ...problems(401, 403, 404) },
  }),
  async (c) => c.json(await requireRole(c.env.DB, c.req.valid('param').name), 200),
);

rolesApp.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['identity'],
    summary: 'Create a role',
    description:
      'Creates a custom role from permissions in the registry. Needs `roles:write`, and only permissions you hold ' +
      '(`users:write` and `roles:write` only by admins; else 403). Audited as `role.created`.',
    ...access('roles:write'),
    request: jsonBody(CreateRoleSchema),
    responses: { 201: jsonResponse(RoleSchema, 'The new role'), ...problems(400, 401, 403, 409, 415) },
  }),
  async (c) => {
    const role = await createRole(requestDeps(c), { actorId: requirePrincipal(c).userId, ...c.req.valid('json') });
    return c.json(role, 201);
  },
);

rolesApp.openapi(
  createRoute({
    method: 'patch',
    path: '/{name}',
    tags: ['identity'],
    summary: 'Update a role',
    description:
      'Changes the description and permissions of a role; a built-in role keeps its permissions (409 `ROLE_BUILT_IN`). ' +
      'Permissions added or removed must be ones you hold (`users:write` and `roles:write` only by admins; else 403). ' +
      'When the role loses a permission, every holder is signed out everywhere (within 30 s at the gateway); added ' +
      'ones arrive with the next access token. Needs `roles:write`; audited as `role.updated`.',
    ...access('roles:write'),
    request: { params: NameParams, ...jsonBody(UpdateRoleSchema) },
    responses: { 200: jsonResponse(RoleSchema, 'The updated role'), ...problems(400, 401, 403, 404, 409, 415) },
  }),
  async (c) => {
    const { role, signedOut } = await updateRole(requestDeps(c), {
      actorId: requirePrincipal(c).userId,
      name: c.req.valid('param').name,
      patch: c.req.valid('json'),
    });
    if (signedOut.length > 0) forget(c, { users: signedOut });
    return c.json(role, 200);
  },
);

rolesApp.openapi(
  createRoute({
    method: 'delete',
    path: '/{name}',
    tags: ['identity'],
    summary: 'Delete a role',
    description:
      'Deletes a custom role and takes it from every holder, who are signed out everywhere; built-in roles cannot be ' +
      'deleted (409 `ROLE_BUILT_IN`). Needs `roles:write` and every permission of the role (403); audited as `role.deleted`.',
    ...access('roles:write'),
    request: { params: NameParams },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409) },
  }),
  async (c) => {
    const { signedOut } = await deleteRole(requestDeps(c), {
      actorId: requirePrincipal(c).userId,
      name: c.req.valid('param').name,
    });
    if (signedOut.length > 0) forget(c, { users: signedOut });
    return c.body(null, 204);
  },
);
