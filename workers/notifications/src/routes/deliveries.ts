import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { CHANNELS, ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { deliveryView, findDelivery, listDeliveries } from '../services/deliveries.js';
import { afterCursor, json, needs, page, problems } from './common.js';
import { DeliverySchema } from './delivery-schema.js';

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
  path: '/api/v1/notifications/deliveries',
  tags: ['notifications'],
  summary: 'List deliveries',
  description:
    'Newest first; sandbox deliveries include the rendered message (security messages only where `ENVIRONMENT` is `local`, once the sandbox caught them). Needs `notifications:manage`.',
  middleware: [needs('notifications:manage')] as const,
  request: { query: Query },
  responses: { 200: json(listOf(DeliverySchema), 'One page of deliveries'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/notifications/deliveries/{id}',
  tags: ['notifications'],
  summary: 'Get a delivery',
  middleware: [needs('notifications:manage')] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 200: json(DeliverySchema, 'The delivery'), ...problems(401, 403, 404) },
});

/** The delivery log for admins. */
export function deliveryRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listDeliveries(c.env.DB, filter, afterCursor(cursor), limit);
    return c.json(
      page(rows, limit, (r) => deliveryView(r, c.env.ENVIRONMENT)),
      200,
    );
  });

  app.openapi(getRoute, async (c) => {
    const row = await findDelivery(c.env.DB, c.req.valid('param').id);
    if (!row) throw new AppError('NOT_FOUND', 'No such delivery.');
    return c.json(deliveryView(row, c.env.ENVIRONMENT), 200);
  });
}
