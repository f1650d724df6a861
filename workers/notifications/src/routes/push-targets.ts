import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import type { PushTargetRow } from '../services/recipient.js';
import { requireVerifiedEmail } from '../services/verified-owner.js';
import { body, json, problems } from './common.js';

const TAG = ['notifications'];

/** Push targets a user may hold: enough for every device of a person, few enough that one send stays small. */
export const MAX_PUSH_TARGETS = 20;

const CreateSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('fcm'), token: z.string().min(1).max(4096) }).strict(),
    z
      .object({
        kind: z.literal('webpush'),
        endpoint: z.url({ protocol: /^https$/ }).max(2048),
        keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }).strict(),
      })
      .strict(),
  ])
  .openapi('CreatePushTarget');

const PushTargetSchema = z
  .object({ id: z.string(), kind: z.enum(['fcm', 'webpush']), address: z.string(), createdAt: z.string() })
  .openapi('PushTarget');
const view = (r: PushTargetRow) => ({ id: r.id, kind: r.kind, address: r.address, createdAt: r.created_at });

const createTarget = createRoute({
  method: 'post',
  path: '/api/v1/notifications/push-targets',
  tags: TAG,
  request: body(CreateSchema),
  summary: 'Register a device or browser for push',
  description:
    'Registering the same token or endpoint again answers the existing target. Needs a verified email address ' +
    `(403 \`EMAIL_NOT_VERIFIED\`). At most ${MAX_PUSH_TARGETS} per user: a new one beyond is a 409 (remove one first).`,
  responses: { 201: json(PushTargetSchema, 'Registered'), ...problems(400, 401, 403, 409) },
});
const listTargets = createRoute({
  method: 'get',
  path: '/api/v1/notifications/push-targets',
  tags: TAG,
  summary: 'My push targets',
  responses: { 200: json(z.object({ data: z.array(PushTargetSchema) }), 'Push targets'), ...problems(401) },
});
const deleteTarget = createRoute({
  method: 'delete',
  path: '/api/v1/notifications/push-targets/{id}',
  tags: TAG,
  summary: 'Remove a push target',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
});
/** The devices and browsers where the caller receives push messages. */
export function pushTargetRoutes(app: OpenAPIHono<AppEnv>): void {
  // A repeated registration hits the unique (user, address) index and answers the row already there. The cap is
  // part of the same statement (the SELECT yields no row at the cap), so racing registrations cannot pass it together;
  // re-registering a target already held still updates it at the cap.
  app.openapi(createTarget, async (c) => {
    const { userId } = requirePrincipal(c);
    const input = c.req.valid('json');
    await requireVerifiedEmail(c.env, userId);
    const address = input.kind === 'fcm' ? input.token : input.endpoint;
    const keys = input.kind === 'webpush' ? input.keys : { p256dh: null, auth: null };
    const db = c.env.DB;
    await db
      .prepare(
        `INSERT INTO push_targets (id, user_id, kind, address, p256dh, auth)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
         WHERE (SELECT count(*) FROM push_targets WHERE user_id = ?2) < ?7
            OR EXISTS (SELECT 1 FROM push_targets WHERE user_id = ?2 AND address = ?4)
         ON CONFLICT (user_id, address) DO UPDATE SET kind = excluded.kind, p256dh = excluded.p256dh, auth = excluded.auth`,
      )
      .bind(newId('pst'), userId, input.kind, address, keys.p256dh, keys.auth, MAX_PUSH_TARGETS)
      .run();
    const row = await db
      .prepare('SELECT * FROM push_targets WHERE user_id = ? AND address = ?')
      .bind(userId, address)
      .first<PushTargetRow>();
    if (!row) {
      throw new AppError('CONFLICT', `At most ${MAX_PUSH_TARGETS} push targets per user; remove one first.`);
    }
    return c.json(view(row), 201);
  });

  app.openapi(listTargets, async (c) => {
    const { userId } = requirePrincipal(c);
    const { results } = await c.env.DB.prepare('SELECT * FROM push_targets WHERE user_id = ? ORDER BY created_at')
      .bind(userId)
      .all<PushTargetRow>();
    return c.json({ data: results.map(view) }, 200);
  });

  app.openapi(deleteTarget, async (c) => {
    const { userId } = requirePrincipal(c);
    const { meta } = await c.env.DB.prepare('DELETE FROM push_targets WHERE id = ? AND user_id = ?')
      .bind(c.req.valid('param').id, userId)
      .run();
    if (meta.changes === 0) throw new AppError('NOT_FOUND', 'No such push target.');
    return c.body(null, 204);
  });
}
