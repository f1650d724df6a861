import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import {
  listPushTargets,
  MAX_PUSH_TARGETS,
  type PushTargetRow,
  registerPushTarget,
  removePushTarget,
} from '../services/push-targets.js';
import { requireVerifiedEmail } from '../services/verified-owner.js';
import { problems } from './problems.js';

const TAG = ['notifications'];

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
const view = (r: PushTargetRow) => ({ id: r.id, kind: r.kind, address: r.address, createdAt: r.createdAt });

const createTarget = createRoute({
  method: 'post',
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  request: jsonBody(CreateSchema),
  summary: 'Register a device or browser for push',
  description:
    'Registering the same token or endpoint again answers the existing target. Needs a verified email address ' +
    `(403 \`EMAIL_NOT_VERIFIED\`). At most ${MAX_PUSH_TARGETS} per user: a new one beyond is a 409 (remove one first).`,
  responses: { 201: jsonResponse(PushTargetSchema, 'Registered'), ...problems(400, 401, 403, 409) },
});
const listTargets = createRoute({
  method: 'get',
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  summary: 'My push targets',
  responses: { 200: jsonResponse(z.object({ data: z.array(PushTargetSchema) }), 'Push targets'), ...problems(401) },
});
const deleteTarget = createRoute({
  method: 'delete',
  path: '/{id}',
  ...access('authenticated'),
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

/** `/api/v1/notifications/push-targets`: the devices and browsers where the caller receives push messages. */
export const pushTargets = resourceApp<AppEnv>();

pushTargets.openapi(createTarget, async (c) => {
  const { userId } = requirePrincipal(c);
  const input = c.req.valid('json');
  await requireVerifiedEmail(c.env, userId);
  return c.json(view(await registerPushTarget(dbOf(c.env.DB), userId, input)), 201);
});

pushTargets.openapi(listTargets, async (c) => {
  const rows = await listPushTargets(dbOf(c.env.DB), requirePrincipal(c).userId);
  return c.json({ data: rows.map(view) }, 200);
});

pushTargets.openapi(deleteTarget, async (c) => {
  await removePushTarget(dbOf(c.env.DB), requirePrincipal(c).userId, c.req.valid('param').id);
  return c.body(null, 204);
});
