import { createRoute, z } from '@hono/zod-openapi';
import { CHANNELS, ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, access, jsonResponse, pageByCreatedAt, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { deliveryView } from '../services/deliveries.js';
import { hasOutbox, listOutbox } from '../services/outbox.js';
import { DeliverySchema } from './delivery-schema.js';
import { problems } from './problems.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('notifications:manage'),
  tags: ['notifications'],
  summary: 'List the sandbox outbox',
  description:
    'The messages the built-in sandbox provider caught instead of sending, newest first, with their rendered subject and bodies: the local mail catcher. The sandbox runs only where `ENVIRONMENT` is `local`; anywhere else this is a 404 (messages go to real providers: see the deliveries). Needs `notifications:manage`.',
  request: { query: ListQuerySchema.extend({ channel: z.enum(CHANNELS).optional() }) },
  responses: {
    200: jsonResponse(listOf(DeliverySchema), 'One page of the outbox'),
    ...problems(400, 401, 403, 404),
  },
});

/** `/api/v1/notifications/outbox`: what the sandbox provider caught, in local development. */
export const outbox = resourceApp<AppEnv>();

outbox.openapi(listRoute, async (c) => {
  if (!hasOutbox(c.env.ENVIRONMENT)) {
    throw new AppError(
      'NOT_FOUND',
      'There is no sandbox outbox here: the sandbox provider runs only where ENVIRONMENT is local, and messages go to real providers (see /api/v1/notifications/deliveries).',
    );
  }
  const { limit, cursor, channel } = c.req.valid('query');
  const rows = await listOutbox(dbOf(c.env.DB), { channel }, cursor, limit);
  return c.json(
    pageByCreatedAt(rows, limit, (r) => deliveryView(r, c.env.ENVIRONMENT)),
    200,
  );
});
