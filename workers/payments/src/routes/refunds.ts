import { createRoute } from '@hono/zod-openapi';
import { listOf } from '@onasis/contracts';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { providerFor } from '../providers/index.js';
import { createRefund } from '../services/create-refund.js';
import { findPayment } from '../services/payment-rows.js';
import { listRefunds, toRefundView } from '../services/refund-rows.js';
import { problems } from './problems.js';
import { CreateRefundSchema, PaymentIdParams, RefundSchema } from './schemas.js';

const createRefundRoute = createRoute({
  method: 'post',
  path: '/{id}/refunds',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Refund a payment',
  description:
    'All that is left, or `amount` of it; several partial refunds may follow one another, never more than was captured in total, also when they race (409). With an `Idempotency-Key`, a retry makes no second refund. Owner or `payments:manage`. Needs `payments:write`.',
  request: { params: PaymentIdParams, ...jsonBody(CreateRefundSchema) },
  responses: {
    201: jsonResponse(RefundSchema, 'The refund'),
    ...problems(400, 401, 402, 403, 404, 409, 502, 503),
  },
});

const listRefundsRoute = createRoute({
  method: 'get',
  path: '/{id}/refunds',
  ...access('payments:read'),
  tags: ['payments'],
  summary: "List a payment's refunds",
  description: 'Newest first. Owner or `payments:manage`. Needs `payments:read`.',
  request: { params: PaymentIdParams },
  responses: { 200: jsonResponse(listOf(RefundSchema), 'The refunds'), ...problems(401, 403, 404) },
});

/** Refunds of a payment, mounted under the payment intents. */
export const refundRoutes = resourceApp<AppEnv>();

refundRoutes.openapi(createRefundRoute, async (c) => {
  const caller = requirePrincipal(c);
  const db = dbOf(c.env.DB);
  const { id } = c.req.valid('param');
  const payment = await findPayment(db, id, caller);
  const refund = await createRefund(
    c.env,
    providerFor(c.env, payment.provider),
    caller,
    { paymentId: id, ...c.req.valid('json') },
    c.req.header('idempotency-key'),
  );
  return c.json(toRefundView(refund), 201);
});

refundRoutes.openapi(listRefundsRoute, async (c) => {
  const rows = await listRefunds(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
  return c.json({ data: rows.map(toRefundView), nextCursor: null }, 200);
});
