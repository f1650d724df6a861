import { createRoute } from '@hono/zod-openapi';
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
import { createIntent, providerForCreate } from '../services/create-intent.js';
import { cancelIntent, captureIntent, confirmIntent } from '../services/intent-actions.js';
import { listIntents } from '../services/list-intents.js';
import { findPayment, toPaymentView } from '../services/payment-rows.js';
import { paymentEventRoutes } from './payment-events.js';
import { problems } from './problems.js';
import { refundRoutes } from './refunds.js';
import { sandboxRoutes } from './sandbox.js';
import {
  CaptureSchema,
  ConfirmSchema,
  CreateIntentSchema,
  IntentFilterSchema,
  PaymentIdParams,
  PaymentSchema,
} from './schemas.js';

const createRouteDef = createRoute({
  method: 'post',
  path: '/',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Create a payment intent',
  description:
    'Amount in minor units, an ISO 4217 currency (any case; answered lower-case). With an `Idempotency-Key`, a retry makes no second payment and no second provider object. Without credentials the payment goes to the built-in **sandbox** (no money moves). Needs `payments:write`.',
  request: jsonBody(CreateIntentSchema),
  responses: {
    201: jsonResponse(PaymentSchema, 'The new payment'),
    200: jsonResponse(PaymentSchema, 'The payment this Idempotency-Key made'),
    ...problems(400, 401, 403, 409, 502),
  },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'List payments',
  description:
    "The caller's own, newest first; with `payments:manage`, everyone's (filter with `userId`). Filter by `status` and `provider`. Needs `payments:read`.",
  request: { query: ListQuerySchema.extend(IntentFilterSchema.shape) },
  responses: { 200: jsonResponse(listOf(PaymentSchema), 'One page of payments'), ...problems(400, 401, 403) },
});

const getRouteDef = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'Get a payment',
  description: "Another user's payment is a 404 unless the caller has `payments:manage`. Needs `payments:read`.",
  request: { params: PaymentIdParams },
  responses: { 200: jsonResponse(PaymentSchema, 'The payment'), ...problems(401, 403, 404) },
});

const confirmRouteDef = createRoute({
  method: 'post',
  path: '/{id}/confirm',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Confirm a payment with a payment method',
  description:
    'Server-side confirmation (the sandbox takes `pm_card_visa`, `pm_card_chargeDeclined`, `pm_card_authenticationRequired`, `pm_usBankAccount`). A decline is a 402 whose `detail` carries the decline code. Owner only. Needs `payments:write`.',
  request: { params: PaymentIdParams, ...jsonBody(ConfirmSchema) },
  responses: {
    200: jsonResponse(PaymentSchema, 'The payment after confirmation'),
    ...problems(400, 401, 402, 403, 404, 409, 502),
  },
});

const captureRouteDef = createRoute({
  method: 'post',
  path: '/{id}/capture',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Capture an authorised payment',
  description:
    'All of it, or `amount` of it (the rest is released). Only `requires_capture`; otherwise 409. Needs `payments:write`.',
  request: { params: PaymentIdParams, ...jsonBody(CaptureSchema) },
  responses: { 200: jsonResponse(PaymentSchema, 'The captured payment'), ...problems(400, 401, 403, 404, 409, 502) },
});

const cancelRouteDef = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Cancel a payment',
  description: 'Any status before `processing`, `succeeded` or `canceled`; otherwise 409. Needs `payments:write`.',
  request: { params: PaymentIdParams },
  responses: { 200: jsonResponse(PaymentSchema, 'The canceled payment'), ...problems(401, 403, 404, 409, 502) },
});

/** Payment intents: create, list, read, confirm, capture, cancel; their refunds and the sandbox's 3-D Secure page. */
export const intents = resourceApp<AppEnv>();

intents.openapi(createRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const input = c.req.valid('json');
  const provider = providerForCreate(c.env, input.provider);
  const { row, created } = await createIntent(dbOf(c.env.DB), provider, caller, input, c.req.header('idempotency-key'));
  return c.json(toPaymentView(row, caller.userId), created ? 201 : 200);
});

intents.openapi(listRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const { limit, cursor, status, provider, userId } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listIntents(dbOf(c.env.DB), caller, { status, provider, userId, after, limit });
  return c.json(
    pageByCreatedAt(rows, limit, (r) => toPaymentView(r, caller.userId)),
    200,
  );
});

intents.openapi(getRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const row = await findPayment(dbOf(c.env.DB), c.req.valid('param').id, caller);
  return c.json(toPaymentView(row, caller.userId), 200);
});

intents.openapi(confirmRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const row = await confirmIntent(c.env, caller, c.req.valid('param').id, c.req.valid('json').paymentMethod);
  return c.json(toPaymentView(row, caller.userId), 200);
});

intents.openapi(captureRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const row = await captureIntent(c.env, caller, c.req.valid('param').id, c.req.valid('json').amount);
  return c.json(toPaymentView(row, caller.userId), 200);
});

intents.openapi(cancelRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const row = await cancelIntent(c.env, caller, c.req.valid('param').id);
  return c.json(toPaymentView(row, caller.userId), 200);
});

intents.route('/', refundRoutes);
intents.route('/', paymentEventRoutes);
intents.route('/', sandboxRoutes);
