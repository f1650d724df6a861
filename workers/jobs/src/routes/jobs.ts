import { createRoute, z } from '@hono/zod-openapi';
import { EnqueueJobSchema, JOB_STATUSES, ListQuerySchema, listOf } from '@onasis/contracts';
import {
  AppError,
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
import { enqueueJob } from '../services/enqueue-job.js';
import { getJob } from '../services/get-job.js';
import { cancelJob, replayJob } from '../services/job-actions.js';
import { toView } from '../services/job-rows.js';
import { listJobs } from '../services/list-jobs.js';
import { problems } from './problems.js';
import { JobDetailSchema, JobIdParams, JobSchema } from './schemas.js';

const enqueueRoute = createRoute({
  method: 'post',
  path: '/',
  ...access('jobs:write'),
  tags: ['jobs'],
  summary: 'Enqueue a job',
  description:
    'A registered type and a payload its schema accepts. A repeated `idempotencyKey` (within 24 h) answers 200 with the first job. Needs `jobs:write`. Internal types (erasure, housekeeping) are a 403: only services and schedules enqueue them. A `notifications.send` job also needs `notifications:send`, and identity’s and `security` templates are a 403, as on the send route.',
  request: jsonBody(EnqueueJobSchema),
  responses: {
    201: jsonResponse(JobSchema, 'The new job'),
    200: jsonResponse(JobSchema, 'The job this idempotency key made'),
    ...problems(400, 401, 403),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('jobs:read'),
  tags: ['jobs'],
  summary: 'List jobs',
  description: 'Newest first, filtered by status and type. Needs `jobs:read`.',
  request: {
    query: ListQuerySchema.extend({
      status: z.enum(JOB_STATUSES).optional(),
      type: z.string().min(1).max(100).optional(),
    }),
  },
  responses: { 200: jsonResponse(listOf(JobSchema), 'One page of jobs'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('jobs:read'),
  tags: ['jobs'],
  summary: 'Get a job with its attempts',
  request: { params: JobIdParams },
  responses: { 200: jsonResponse(JobDetailSchema, 'The job'), ...problems(401, 403, 404) },
});

const actionRoute = (action: 'cancel' | 'retry', summary: string, description: string) =>
  createRoute({
    method: 'post',
    path: `/{id}/${action}`,
    ...access('jobs:write'),
    tags: ['jobs'],
    summary,
    description: `${description} Needs \`jobs:write\`.`,
    request: { params: JobIdParams },
    responses: { 200: jsonResponse(JobSchema, 'The job after the change'), ...problems(401, 403, 404, 409) },
  });

const cancelRoute = actionRoute('cancel', 'Cancel a pending job', 'Only a scheduled or queued job; otherwise 409.');
const retryRoute = actionRoute(
  'retry',
  'Replay a dead job',
  'A dead (or failed) job runs again with a fresh attempt budget, its payload unchanged (internal types too: the payload is the one a service or schedule wrote); otherwise 409.',
);

/** Jobs: enqueue, list, inspect, cancel and replay. */
export const jobs = resourceApp<AppEnv>();

jobs.openapi(enqueueRoute, async (c) => {
  const result = await enqueueJob(c.env, c.req.valid('json'), { caller: requirePrincipal(c) });
  if (!result.ok) {
    if (result.error.code === 'FORBIDDEN') throw new AppError('FORBIDDEN', result.error.detail);
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors: result.issues });
  }
  return c.json(toView(result.row), result.created ? 201 : 200);
});

jobs.openapi(listRoute, async (c) => {
  const { limit, cursor, status, type } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listJobs(dbOf(c.env.DB), { status, type, after, limit });
  return c.json(pageByCreatedAt(rows, limit, toView), 200);
});

jobs.openapi(getRoute, async (c) => {
  const { id } = c.req.valid('param');
  const job = await getJob(dbOf(c.env.DB), id);
  if (!job) throw new AppError('NOT_FOUND', `No job ${id}.`);
  return c.json({ ...toView(job.row), attemptLog: job.attempts }, 200);
});

jobs.openapi(cancelRoute, async (c) => {
  const result = await cancelJob(dbOf(c.env.DB), c.req.valid('param').id);
  if (!result.ok) throw new AppError(result.code, result.detail);
  return c.json(toView(result.row), 200);
});

jobs.openapi(retryRoute, async (c) => {
  const result = await replayJob(c.env, c.req.valid('param').id);
  if (!result.ok) throw new AppError(result.code, result.detail);
  return c.json(toView(result.row), 200);
});
