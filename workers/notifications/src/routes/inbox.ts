import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, access, jsonResponse, pageByCreatedAt, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { countUnread, type InboxItemRow, listInbox, markAllRead, markRead } from '../services/inbox.js';
import { problems } from './problems.js';

const InboxItemSchema = z
  .object({
    id: z.string().openapi({ example: 'inb_3f9c0a1b2c3d4e5f60718293' }),
    template: z.string(),
    category: z.string(),
    title: z.string(),
    body: z.string(),
    read: z.boolean(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('InboxItem');

const view = (r: InboxItemRow) => ({
  id: r.id,
  template: r.template,
  category: r.category,
  title: r.title,
  body: r.body,
  read: r.readAt !== null,
  readAt: r.readAt,
  createdAt: r.createdAt,
});

const TAG = ['notifications'];
const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  summary: 'My inbox',
  description: 'Newest first.',
  request: { query: ListQuerySchema.extend({ unread: z.enum(['true', 'false']).optional() }) },
  responses: { 200: jsonResponse(listOf(InboxItemSchema), 'One page of inbox items'), ...problems(400, 401) },
});
const countRoute = createRoute({
  method: 'get',
  path: '/unread-count',
  ...access('authenticated'),
  tags: TAG,
  summary: 'Count my unread inbox items',
  responses: { 200: jsonResponse(z.object({ unread: z.number().int() }), 'The count'), ...problems(401) },
});
const readRoute = createRoute({
  method: 'post',
  path: '/{id}/read',
  ...access('authenticated'),
  tags: TAG,
  summary: 'Mark an inbox item read',
  description: 'Repeating it keeps the first read time. Another user’s item is a 404.',
  request: { params: IdParams },
  responses: { 200: jsonResponse(InboxItemSchema, 'The item'), ...problems(401, 404) },
});
const readAllRoute = createRoute({
  method: 'post',
  path: '/read-all',
  ...access('authenticated'),
  tags: TAG,
  summary: 'Mark my whole inbox read',
  responses: {
    200: jsonResponse(z.object({ marked: z.number().int() }), 'How many items this call marked'),
    ...problems(401),
  },
});

/** `/api/v1/notifications`: the caller's in-app inbox; another user's items do not exist here. */
export const inbox = resourceApp<AppEnv>();

inbox.openapi(listRoute, async (c) => {
  const { userId } = requirePrincipal(c);
  const { limit, cursor, unread } = c.req.valid('query');
  const rows = await listInbox(dbOf(c.env.DB), userId, { cursor, limit, unreadOnly: unread === 'true' });
  return c.json(pageByCreatedAt(rows, limit, view), 200);
});

inbox.openapi(countRoute, async (c) => {
  return c.json({ unread: await countUnread(dbOf(c.env.DB), requirePrincipal(c).userId) }, 200);
});

inbox.openapi(readRoute, async (c) => {
  const row = await markRead(dbOf(c.env.DB), requirePrincipal(c).userId, c.req.valid('param').id);
  if (!row) throw new AppError('NOT_FOUND', 'No such notification.');
  return c.json(view(row), 200);
});

inbox.openapi(readAllRoute, async (c) => {
  return c.json({ marked: await markAllRead(dbOf(c.env.DB), requirePrincipal(c).userId) }, 200);
});
