import { createRoute, z } from '@hono/zod-openapi';
import { listOf } from '@onasis/contracts';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { listShares, shareFile, toShareView, unshareFile } from '../services/shares.js';
import { problems } from './problems.js';
import { FileIdParams } from './schemas.js';

const ShareSchema = z
  .object({
    fileId: z.string(),
    userId: z.string(),
    access: z.enum(['read', 'write']).openapi({ description: '`write` also renames and moves the file.' }),
    createdAt: z.string(),
  })
  .openapi('FileShare');

const CreateShareSchema = z
  .object({
    userId: z.string().min(1).max(64).openapi({ example: 'usr_3f9c0000000000000000000000000000' }),
    access: z.enum(['read', 'write']),
  })
  .openapi('CreateFileShare');

const ShareParams = FileIdParams.extend({
  userId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'userId', in: 'path' } }),
});

const createShareRoute = createRoute({
  method: 'post',
  path: '/{id}/shares',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Share a file with a user',
  description:
    'Read or write access for another user; sharing again with the same user replaces the access. Not with the owner or yourself (400). Owner or `files:manage` only: a sharee gets 404. Needs `files:write`.',
  request: { params: FileIdParams, ...jsonBody(CreateShareSchema) },
  responses: { 201: jsonResponse(ShareSchema, 'The share'), ...problems(400, 401, 403, 404) },
});

const listSharesRoute = createRoute({
  method: 'get',
  path: '/{id}/shares',
  ...access('files:read'),
  tags: ['files'],
  summary: "List a file's shares",
  description: 'Oldest first, in one page. Owner or `files:manage` only. Needs `files:read`.',
  request: { params: FileIdParams },
  responses: { 200: jsonResponse(listOf(ShareSchema), 'The shares'), ...problems(401, 403, 404) },
});

const deleteShareRoute = createRoute({
  method: 'delete',
  path: '/{id}/shares/{userId}',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Stop sharing a file with a user',
  description:
    'Takes effect on the next request (content answers revalidate every time). A share that is not there answers 204 too. Owner or `files:manage` only. Needs `files:write`.',
  request: { params: ShareParams },
  responses: { 204: { description: 'Not shared with that user (any more)' }, ...problems(401, 403, 404) },
});

/** `/api/v1/files/{id}/shares`: who else may read or change a file. */
export const shareRoutes = resourceApp<AppEnv>();

shareRoutes.openapi(createShareRoute, async (c) => {
  const row = await shareFile(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id, c.req.valid('json'));
  return c.json(toShareView(row), 201);
});

shareRoutes.openapi(listSharesRoute, async (c) => {
  const rows = await listShares(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
  return c.json({ data: rows.map(toShareView), nextCursor: null }, 200);
});

shareRoutes.openapi(deleteShareRoute, async (c) => {
  const { id, userId } = c.req.valid('param');
  await unshareFile(dbOf(c.env.DB), requirePrincipal(c), id, userId);
  return c.body(null, 204);
});
