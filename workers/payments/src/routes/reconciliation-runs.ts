import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { access, createdAtPosition, jsonResponse, pageByCreatedAt, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { PROVIDER_NAMES } from '../providers/provider.js';
import { findRun, listRuns, toRunView } from '../services/reconcile-runs.js';
import { problems } from './problems.js';

const RunSchema = z
  .object({
    id: z.string().openapi({ example: 'rcn_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    provider: z.enum(PROVIDER_NAMES),
    status: z.enum(['running', 'succeeded', 'failed']),
    since: z.string().openapi({ description: "The start of the provider's events compared." }),
    eventsChecked: z.number().int(),
    eventsRepaired: z.number().int().openapi({ description: 'Missed or failed events stored and applied again.' }),
    mismatches: z.array(z.object({ kind: z.string(), objectId: z.string(), detail: z.string() })),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ReconciliationRun');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'List reconciliation runs',
  description:
    "The daily `payments.reconcile` job's runs, newest first: what each compared with the provider, repaired and found. Needs `payments:manage`.",
  request: { query: ListQuerySchema },
  responses: { 200: jsonResponse(listOf(RunSchema), 'One page of runs'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'Get a reconciliation run',
  description: 'Needs `payments:manage`.',
  request: {
    params: z.object({ id: z.string().min(1).max(64).openapi({ example: 'rcn_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }) }),
  },
  responses: { 200: jsonResponse(RunSchema, 'The run'), ...problems(401, 403, 404) },
});

/** Reconciliation runs, for admins. */
export const reconciliationRuns = resourceApp<AppEnv>();

reconciliationRuns.openapi(listRoute, async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  return c.json(pageByCreatedAt(await listRuns(dbOf(c.env.DB), { after, limit }), limit, toRunView), 200);
});

reconciliationRuns.openapi(getRoute, async (c) =>
  c.json(toRunView(await findRun(dbOf(c.env.DB), c.req.valid('param').id)), 200),
);
