import { createRoute, z } from '@hono/zod-openapi';
import { listOf } from '@onasis/contracts';
import { access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { paymentTimeline, TIMELINE_KINDS } from '../services/payment-timeline.js';
import { problems } from './problems.js';
import { PaymentIdParams } from './schemas.js';

const TimelineEventSchema = z
  .object({
    at: z.string(),
    kind: z.enum(TIMELINE_KINDS),
    amount: z.number().int().nullable().openapi({ description: "Minor units of the payment's currency." }),
    objectId: z.string().openapi({ description: 'The payment, refund (`re_…`), dispute or ledger transaction.' }),
    detail: z.string().nullable(),
  })
  .openapi('PaymentTimelineEvent');

const listEventsRoute = createRoute({
  method: 'get',
  path: '/{id}/events',
  ...access('payments:read'),
  tags: ['payments'],
  summary: "A payment's timeline",
  description:
    'Oldest first: created, each ledger movement (captured, refunded, disputed…), each refund asked for, and how it ended when no money moved. Read from the stored payment, refunds, disputes and ledger. Owner or `payments:manage`. Needs `payments:read`.',
  request: { params: PaymentIdParams },
  responses: { 200: jsonResponse(listOf(TimelineEventSchema), 'The whole timeline'), ...problems(401, 403, 404) },
});

/** A payment's event timeline, mounted under the payment intents. */
export const paymentEventRoutes = resourceApp<AppEnv>();

paymentEventRoutes.openapi(listEventsRoute, async (c) => {
  const events = await paymentTimeline(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
  return c.json({ data: events, nextCursor: null }, 200);
});
