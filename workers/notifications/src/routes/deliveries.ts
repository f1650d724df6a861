import { createRoute, z } from '@hono/zod-openapi';
import { CHANNELS, ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, access, jsonResponse, pageByCreatedAt, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { deliveryView, findDelivery, listDeliveries } from '../services/deliveries.js';
import { DeliverySchema } from './delivery-schema.js';
import { problems } from './problems.js';

const Query = ListQuerySchema.extend({
  recipient: z
    .string()
    .min(1)
    .max(320)
    .optional()
    .openapi({ description: 'What the sender addressed: a user id, an address, `slack`.' }),
  address: z
    .string()
    .min(1)
    .max(320)
    .optional()
    .openapi({ description: 'Where a delivery went (an email address, a phone number), whoever it was addressed to.' }),
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced']).optional(),
  template: z.string().min(1).max(100).optional(),
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('notifications:manage'),
  tags: ['notifications'],
  summary: 'List deliveries',
  description:
    'Newest first; sandbox deliveries include the rendered message (security messages only where `ENVIRONMENT` is `local`, once the sandbox caught them). Needs `notifications:manage`.',
  request: { query: Query },
  responses: { 200: jsonResponse(listOf(DeliverySchema), 'One page of deliveries'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('notifications:manage'),
  tags: ['notifications'],
  summary: 'Get a delivery',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 200: jsonResponse(DeliverySchema, 'The delivery'), ...problems(401, 403, 404) },
});

/** `/api/v1/notifications/deliveries`: the delivery log for admins. */
export const deliveries = resourceApp<AppEnv>();

deliveries.openapi(listRoute, async (c) => {
  const { limit, cursor, ...filter } = c.req.valid('query');
  const rows = await listDeliveries(dbOf(c.env.DB), filter, cursor, limit);
  return c.json(
    pageByCreatedAt(rows, limit, (r) => deliveryView(r, c.env.ENVIRONMENT)),
    200,
  );
});

deliveries.openapi(getRoute, async (c) => {
  const row = await findDelivery(dbOf(c.env.DB), c.req.valid('param').id);
  if (!row) throw new AppError('NOT_FOUND', 'No such delivery.');
  return c.json(deliveryView(row, c.env.ENVIRONMENT), 200);
});
