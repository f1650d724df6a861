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
import { dbOf } from '../db/client.js';
import { fileFor } from '../services/file-access.js';
import { toFileView } from '../services/file-view.js';
import { listFiles } from '../services/list-files.js';
import { deleteFile, restoreFile, trashFile } from '../services/trash-file.js';
import { updateFile } from '../services/update-file.js';
import { problems } from './problems.js';
import { FileIdParams, FileSchema } from './schemas.js';

const flag = z.enum(['true', 'false']).optional();

const ListFilesQuery = ListQuerySchema.extend({
  folder: z.string().max(1024).optional().openapi({ description: 'Only this folder (not its subfolders).' }),
  q: z.string().min(1).max(255).optional().openapi({ description: 'Name contains (case-insensitive).' }),
  trashed: flag.openapi({ description: '`true`: the trash instead of live files.' }),
  shared: flag.openapi({ description: '`true`: files other users shared with the caller.' }),
});

const UpdateFileSchema = z
  .object({
    name: z.string().max(1024).optional(),
    folder: z.string().max(2048).optional().openapi({ description: "Move to this folder (`''` is the root)." }),
  })
  .openapi('UpdateFile');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('files:read'),
  tags: ['files'],
  summary: 'List files',
  description:
    "The caller's own live files, newest first; `trashed=true` their trash, `shared=true` the files others shared with them. Needs `files:read`.",
  request: { query: ListFilesQuery },
  responses: { 200: jsonResponse(listOf(FileSchema), 'One page of files'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('files:read'),
  tags: ['files'],
  summary: 'Get a file',
  description: 'Owner (also while trashed), a share, or `files:manage`; anyone else gets 404. Needs `files:read`.',
  request: { params: FileIdParams },
  responses: { 200: jsonResponse(FileSchema, 'The file'), ...problems(401, 403, 404) },
});

const updateRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Rename or move a file',
  description:
    'Owner, a `write` share, or `files:manage`. A folder and name another live file of the owner holds is a 409 `FILE_EXISTS`. Repeating it answers the same file. Needs `files:write`.',
  request: { params: FileIdParams, ...jsonBody(UpdateFileSchema) },
  responses: { 200: jsonResponse(FileSchema, 'The file'), ...problems(400, 401, 403, 404, 409) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Trash a file, or delete it for good',
  description:
    'To the trash (restorable until lifecycle purges it); a trashed file answers 204 again. With `permanent=true`, the file, its shares and links are gone at once (a second call is a 404). Owner or `files:manage`. Needs `files:write`.',
  request: { params: FileIdParams, query: z.object({ permanent: flag }) },
  responses: { 204: { description: 'Trashed or deleted' }, ...problems(400, 401, 403, 404) },
});

const restoreRoute = createRoute({
  method: 'post',
  path: '/{id}/restore',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Restore a trashed file',
  description:
    'Back to its folder and name; 409 `FILE_EXISTS` when a live file took them meanwhile. A live file answers as it is. Owner or `files:manage`. Needs `files:write`.',
  request: { params: FileIdParams },
  responses: { 200: jsonResponse(FileSchema, 'The restored file'), ...problems(401, 403, 404, 409) },
});

/** `/api/v1/files`: the list, one file, rename and move, trash, restore and deletion. */
export const manageRoutes = resourceApp<AppEnv>();

manageRoutes.openapi(listRoute, async (c) => {
  const { limit, cursor, folder, q, trashed, shared } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listFiles(dbOf(c.env.DB), requirePrincipal(c), {
    folder,
    q,
    trashed: trashed === 'true',
    shared: shared === 'true',
    after,
    limit,
  });
  return c.json(pageByCreatedAt(rows, limit, toFileView), 200);
});

manageRoutes.openapi(getRoute, async (c) => {
  const row = await fileFor(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id, 'read', { trashed: true });
  return c.json(toFileView(row), 200);
});

manageRoutes.openapi(updateRoute, async (c) => {
  const row = await updateFile(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id, c.req.valid('json'));
  return c.json(toFileView(row), 200);
});

manageRoutes.openapi(deleteRoute, async (c) => {
  const caller = requirePrincipal(c);
  const { id } = c.req.valid('param');
  const db = dbOf(c.env.DB);
  if (c.req.valid('query').permanent === 'true') await deleteFile(c.env, db, caller, id);
  else await trashFile(db, caller, id);
  return c.body(null, 204);
});

manageRoutes.openapi(restoreRoute, async (c) => {
  const row = await restoreFile(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
  return c.json(toFileView(row), 200);
});
