import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { afterCursor, json, page, problems } from './common.js';

type InboxRow = {
  id: string;
  template: string;
  category: string;
  title: string;
  body: string;
  read_at: string | null;
  created_at: string;
};

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

const view = (r: InboxRow) => ({
  id: r.id,
  template: r.template,
  category: r.category,
  title: r.title,
  body: r.body,
  read: r.read_at !== null,
  readAt: r.read_at,
  createdAt: r.created_at,
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
  path: '/api/v1/notifications',
  tags: TAG,
  summary: 'My inbox',
  description: 'Newest first.',
  request: { query: ListQuerySchema.extend({ unread: z.enum(['true', 'false']).optional() }) },
  responses: { 200: json(listOf(InboxItemSchema), 'One page of inbox items'), ...problems(400, 401) },
});
const countRoute = createRoute({
  method: 'get',
  path: '/api/v1/notifications/unread-count',
  tags: TAG,
  summary: 'Count my unread inbox items',
  responses: { 200: json(z.object({ unread: z.number().int() }), 'The count'), ...problems(401) },
});
const readRoute = createRoute({
  method: 'post',
  path: '/api/v1/notifications/{id}/read',
  tags: TAG,
  summary: 'Mark an inbox item read',
  description: 'Repeating it keeps the first read time. Another user’s item is a 404.',
  request: { params: IdParams },
  responses: { 200: json(InboxItemSchema, 'The item'), ...problems(401, 404) },
});
const readAllRoute = createRoute({
  method: 'post',
  path: '/api/v1/notifications/read-all',
  tags: TAG,
  summary: 'Mark my whole inbox read',
  responses: { 200: json(z.object({ marked: z.number().int() }), 'How many items this call marked'), ...problems(401) },
});

/** The caller's in-app inbox; every query is scoped to the caller, so another user's items do not exist here. */
export function inboxRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    const { limit, cursor, unread } = c.req.valid('query');
    const after = afterCursor(cursor);
    const { results } = await c.env.DB.prepare(
      `SELECT * FROM inbox_items WHERE user_id = ?${unread === 'true' ? ' AND read_at IS NULL' : ''}${after.sql}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
      .bind(userId, ...after.args, limit + 1)
      .all<InboxRow>();
    return c.json(page(results, limit, view), 200);
  });

  app.openapi(countRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    const row = await c.env.DB.prepare('SELECT count(*) AS n FROM inbox_items WHERE user_id = ? AND read_at IS NULL')
      .bind(userId)
      .first<{ n: number }>();
    return c.json({ unread: row?.n ?? 0 }, 200);
  });

  app.openapi(readRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    const row = await c.env.DB.prepare(
      'UPDATE inbox_items SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ? RETURNING *',
    )
      .bind(new Date().toISOString(), c.req.valid('param').id, userId)
      .first<InboxRow>();
    if (!row) throw new AppError('NOT_FOUND', 'No such notification.');
    return c.json(view(row), 200);
  });

  app.openapi(readAllRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    const { meta } = await c.env.DB.prepare('UPDATE inbox_items SET read_at = ? WHERE user_id = ? AND read_at IS NULL')
      .bind(new Date().toISOString(), userId)
      .run();
    return c.json({ marked: meta.changes ?? 0 }, 200);
  });
}
