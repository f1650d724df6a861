import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf, PERMISSIONS } from '@onasis/contracts';
import { requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { createRole, deleteRole, listRoles, requireRole, updateRole } from '../services/roles.js';
import { decodeCursor, needs, page, problems } from './admin-common.js';

const PermissionSchema = z.enum(PERMISSIONS).openapi('Permission');

export const RoleSchema = z
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
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/roles',
  tags: ['identity'],
  summary: 'List roles',
  description: 'Every role by name, with its permissions and number of members. Needs `roles:read`.',
  middleware: [needs('roles:read')] as const,
  request: { query: ListQuerySchema },
  responses: { 200: json(listOf(RoleSchema), 'One page of roles'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/roles/{name}',
  tags: ['identity'],
  summary: 'Get a role',
  description: 'Needs `roles:read`.',
  middleware: [needs('roles:read')] as const,
  request: { params: NameParams },
  responses: { 200: json(RoleSchema, 'The role'), ...problems(401, 403, 404) },
});

const createRoleRoute = createRoute({
  method: 'post',
  path: '/api/v1/roles',
  tags: ['identity'],
  summary: 'Create a role',
  description:
    'Creates a custom role from permissions in the registry. Needs `roles:write`; audited as `role.created`.',
  middleware: [needs('roles:write')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateRoleSchema } } } },
  responses: { 201: json(RoleSchema, 'The new role'), ...problems(400, 401, 403, 409, 415) },
});

const updateRoleRoute = createRoute({
  method: 'patch',
  path: '/api/v1/roles/{name}',
  tags: ['identity'],
  summary: 'Update a role',
  description:
    'Changes the description and permissions of a role; a built-in role keeps its permissions (409 `ROLE_BUILT_IN`). ' +
    'Holders get the new permissions with their next access token. Needs `roles:write`; audited as `role.updated`.',
  middleware: [needs('roles:write')] as const,
  request: {
    params: NameParams,
    body: { required: true, content: { 'application/json': { schema: UpdateRoleSchema } } },
  },
  responses: { 200: json(RoleSchema, 'The updated role'), ...problems(400, 401, 403, 404, 409, 415) },
});

const deleteRoleRoute = createRoute({
  method: 'delete',
  path: '/api/v1/roles/{name}',
  tags: ['identity'],
  summary: 'Delete a role',
  description:
    'Deletes a custom role and takes it from every holder; built-in roles cannot be deleted (409 `ROLE_BUILT_IN`). ' +
    'Needs `roles:write`; audited as `role.deleted`.',
  middleware: [needs('roles:write')] as const,
  request: { params: NameParams },
  responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409) },
});

const NameCursor = z.object({ name: z.string() });

/** `/api/v1/roles`: read with `roles:read`, change with `roles:write`; every change is audited. */
export function roleRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor === undefined ? undefined : decodeCursor(cursor, NameCursor).name;
    const rows = await listRoles(c.env.DB, { limit: limit + 1, after });
    return c.json(
      page(rows, limit, (r) => ({ name: r.name })),
      200,
    );
  });

  app.openapi(getRoute, async (c) => c.json(await requireRole(c.env.DB, c.req.valid('param').name), 200));

  app.openapi(createRoleRoute, async (c) => {
    const principal = requirePrincipal(c);
    const role = await createRole(c.env.DB, c.req.valid('json'));
    await audit(c, {
      action: 'role.created',
      actorId: principal.userId,
      targetType: 'role',
      targetId: role.name,
      data: { description: role.description, permissions: role.permissions },
    });
    return c.json(role, 201);
  });

  app.openapi(updateRoleRoute, async (c) => {
    const principal = requirePrincipal(c);
    const { name } = c.req.valid('param');
    const { before, after } = await updateRole(c.env.DB, name, c.req.valid('json'));
    await audit(c, {
      action: 'role.updated',
      actorId: principal.userId,
      targetType: 'role',
      targetId: name,
      data: {
        before: { description: before.description, permissions: before.permissions },
        after: { description: after.description, permissions: after.permissions },
      },
    });
    return c.json(after, 200);
  });

  app.openapi(deleteRoleRoute, async (c) => {
    const principal = requirePrincipal(c);
    const { name } = c.req.valid('param');
    const role = await deleteRole(c.env.DB, name);
    await audit(c, {
      action: 'role.deleted',
      actorId: principal.userId,
      targetType: 'role',
      targetId: name,
      data: { description: role.description, permissions: role.permissions, memberCount: role.memberCount },
    });
    return c.body(null, 204);
  });
}
