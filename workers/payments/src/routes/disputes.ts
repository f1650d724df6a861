import { createRoute, z } from '@hono/zod-openapi';
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
import { PROVIDER_NAMES } from '../providers/provider.js';
import { DISPUTE_STATUSES } from '../providers/provider-disputes.js';
import { findDispute, listDisputes, toDisputeView } from '../services/dispute-rows.js';
import { closeDispute, openDispute } from '../services/dispute-sandbox.js';
import { problems } from './problems.js';

const DisputeSchema = z
  .object({
    id: z.string().openapi({ example: 'dp_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    paymentId: z.string(),
    userId: z.string(),
    provider: z.enum(PROVIDER_NAMES),
    providerDisputeId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    status: z.enum(DISPUTE_STATUSES),
    fee: z.number().int().openapi({ description: "The provider's dispute fee, in minor units of `currency`." }),
    evidenceDueBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Dispute');

const IdParams = z.object({
  id: z.string().min(1).max(64).openapi({ example: 'dp_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
});

// Stripe's dispute reasons, which the sandbox takes too.
const REASONS = [
  'bank_cannot_process',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

const OpenSchema = z
  .object({
    paymentId: z.string().min(1).max(64),
    amount: z.number().int().positive().optional(),
    reason: z.enum(REASONS).default('fraudulent'),
  })
  .openapi('SandboxDisputeOpen');

const CloseSchema = z.object({ outcome: z.enum(['won', 'lost']) }).openapi('SandboxDisputeClose');

const SandboxAnswer = z.object({ disputeId: z.string(), eventId: z.string() }).openapi('SandboxDisputeEvent');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'List disputes',
  description: 'Every dispute (chargeback), newest first; `status` filters. Needs `payments:manage`.',
  request: { query: ListQuerySchema.extend({ status: z.enum(DISPUTE_STATUSES).optional() }) },
  responses: { 200: jsonResponse(listOf(DisputeSchema), 'One page of disputes'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'Get a dispute',
  description: 'Needs `payments:manage`.',
  request: { params: IdParams },
  responses: { 200: jsonResponse(DisputeSchema, 'The dispute'), ...problems(401, 403, 404) },
});

const openRoute = createRoute({
  method: 'post',
  path: '/sandbox',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'SANDBOX: open a dispute on a sandbox payment',
  description:
    "The built-in sandbox's stand-in for a cardholder's chargeback (no money moves; local only, 404 elsewhere). A succeeded sandbox payment is disputed through a sandbox event, applied asynchronously like Stripe's `charge.dispute.created`: the amount (all that was captured by default) and a 1500 fee are withdrawn. A payment is disputed once: asking again sends the same event. Needs `payments:manage`.",
  request: jsonBody(OpenSchema),
  responses: { 202: jsonResponse(SandboxAnswer, 'The event is on its way'), ...problems(400, 401, 403, 404, 409) },
});

const closeRoute = createRoute({
  method: 'post',
  path: '/{id}/sandbox/close',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'SANDBOX: close a sandbox dispute',
  description:
    '`won` reinstates the disputed amount (the fee stays), `lost` keeps it withdrawn; applied asynchronously as a sandbox `charge.dispute.closed` event. Closing twice sends one event (the first outcome stands); a closed dispute is a 409. Local only. Needs `payments:manage`.',
  request: { params: IdParams, ...jsonBody(CloseSchema) },
  responses: { 202: jsonResponse(SandboxAnswer, 'The event is on its way'), ...problems(400, 401, 403, 404, 409) },
});

/** Disputes (chargebacks), for admins, and the sandbox's way to open and close them. */
export const disputeRoutes = resourceApp<AppEnv>();

disputeRoutes.openapi(listRoute, async (c) => {
  const { limit, cursor, status } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listDisputes(dbOf(c.env.DB), { status, after, limit });
  return c.json(pageByCreatedAt(rows, limit, toDisputeView), 200);
});

disputeRoutes.openapi(getRoute, async (c) =>
  c.json(toDisputeView(await findDispute(dbOf(c.env.DB), c.req.valid('param').id)), 200),
);

disputeRoutes.openapi(openRoute, async (c) =>
  c.json(await openDispute(c.env, requirePrincipal(c), c.req.valid('json')), 202),
);

disputeRoutes.openapi(closeRoute, async (c) =>
  c.json(await closeDispute(c.env, c.req.valid('param').id, c.req.valid('json').outcome), 202),
);
