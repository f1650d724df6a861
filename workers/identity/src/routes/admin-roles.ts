import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf, PERMISSIONS } from '@onasis/contracts';
import { requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { grantorOf, grantRefusal, grantRefused } from '../services/grants.js';
import { forget, revokeSessionsOf } from '../services/revocation.js';
import { createRole, deleteRole, holdersOf, listRoles, requireRole, updateRole } from '../services/roles.js';
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
    'Creates a custom role from permissions in the registry. Needs `roles:write`, and only permissions you hold ' +
    '(`users:write` and `roles:write` only by admins; else 403). Audited as `role.created`.',
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
    'Permissions added or removed must be ones you hold (`users:write` and `roles:write` only by admins; else 403). ' +
    'When the role loses a permission, every holder is signed out everywhere (within 30 s at the gateway); added ' +
    'ones arrive with the next access token. Needs `roles:write`; audited as `role.updated`.',
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
    'Deletes a custom role and takes it from every holder, who are signed out everywhere; built-in roles cannot be ' +
    'deleted (409 `ROLE_BUILT_IN`). Needs `roles:write` and every permission of the role (403); audited as `role.deleted`.',
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
    const body = c.req.valid('json');
    await assertMayGrant(c, 'role.create_refused', body.name, body.permissions);
    const role = await createRole(c.env.DB, body);
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
    const patch = c.req.valid('json');
    const db = c.env.DB;
    const current = await requireRole(db, name);
    if (patch.permissions !== undefined) {
      const wanted = new Set(patch.permissions);
      const changed = [
        ...patch.permissions.filter((p) => !current.permissions.includes(p)),
        ...current.permissions.filter((p) => !wanted.has(p)),
      ];
      await assertMayGrant(c, 'role.update_refused', name, changed);
    }
    const { before, after } = await updateRole(db, name, patch);
    const lost = before.permissions.filter((p) => !after.permissions.includes(p));
    const holders = lost.length > 0 ? await holdersOf(db, name) : [];
    const sessionsRevoked = await revokeSessionsOf(c.env, holders, 'role_changed');
    await audit(c, {
      action: 'role.updated',
      actorId: principal.userId,
      targetType: 'role',
      targetId: name,
      data: {
        before: { description: before.description, permissions: before.permissions },
        after: { description: after.description, permissions: after.permissions },
        holdersSignedOut: holders.length,
        sessionsRevoked,
      },
    });
    if (holders.length > 0) forget(c, { users: holders });
    return c.json(after, 200);
  });

  app.openapi(deleteRoleRoute, async (c) => {
    const principal = requirePrincipal(c);
    const { name } = c.req.valid('param');
    const db = c.env.DB;
    const current = await requireRole(db, name);
    if (!current.builtIn) await assertMayGrant(c, 'role.delete_refused', name, current.permissions);
    const holders = await holdersOf(db, name);
    const role = await deleteRole(db, name);
    const signedOut = role.permissions.length > 0 ? holders : [];
    const sessionsRevoked = await revokeSessionsOf(c.env, signedOut, 'role_deleted');
    await audit(c, {
      action: 'role.deleted',
      actorId: principal.userId,
      targetType: 'role',
      targetId: name,
      data: {
        description: role.description,
        permissions: role.permissions,
        memberCount: role.memberCount,
        holdersSignedOut: signedOut.length,
        sessionsRevoked,
      },
    });
    if (signedOut.length > 0) forget(c, { users: signedOut });
    return c.body(null, 204);
  });
}

/**
 * Refuses (403, audited as `action`) a role change that hands out or takes away a permission the caller does not
 * hold, or an admin-only one when the caller is no admin: `roles:write` alone must not be a way to escalate.
 */
async function assertMayGrant(
  c: Context<AppEnv>,
  action: string,
  role: string,
  permissions: readonly string[],
): Promise<void> {
  const principal = requirePrincipal(c);
  const refusal = grantRefusal(await grantorOf(c.env.DB, principal.userId), permissions);
  if (!refusal) return;
  await audit(c, {
    action,
    outcome: 'failure',
    actorId: principal.userId,
    targetType: 'role',
    targetId: role,
    data: { reason: refusal, permissions },
  });
  throw grantRefused(refusal);
}
