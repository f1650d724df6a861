import { createRoute } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { access, createdAtPosition, jsonResponse, pageByCreatedAt, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { toView } from '../services/job-rows.js';
import { listJobs } from '../services/list-jobs.js';
import { problems } from './problems.js';
import { JobSchema } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('jobs:read'),
  tags: ['jobs'],
  summary: 'List dead jobs',
  description:
    'Jobs out of attempts (or refused as never retryable), newest first, with payload and last error; replay one with `POST /api/v1/jobs/{id}/retry`. Needs `jobs:read`.',
  request: { query: ListQuerySchema },
  responses: { 200: jsonResponse(listOf(JobSchema), 'One page of dead jobs'), ...problems(400, 401, 403) },
});

/** Dead letters: the jobs that ran out of attempts, for an operator to inspect and replay. */
export const deadLetters = resourceApp<AppEnv>();

deadLetters.openapi(listRoute, async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listJobs(dbOf(c.env.DB), { status: 'dead', after, limit });
  return c.json(pageByCreatedAt(rows, limit, toView), 200);
});
