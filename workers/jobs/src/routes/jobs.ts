import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { EnqueueJobSchema, JOB_STATUSES, ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { enqueueJob } from '../services/enqueue.js';
import { cancelJob, replayJob } from '../services/job-actions.js';
import { findJob, toView } from '../services/job-rows.js';
import { attemptsOf, listJobs } from '../services/list-jobs.js';
import { needs, page, positionOf, problems } from './common.js';
import { JobDetailSchema, JobIdParams, JobSchema } from './schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const enqueueRoute = createRoute({
  method: 'post',
  path: '/api/v1/jobs',
  tags: ['jobs'],
  summary: 'Enqueue a job',
  description:
    'A registered type and a payload its schema accepts. A repeated `idempotencyKey` (within 24 h) answers 200 with the first job. Needs `jobs:write`. Internal types (erasure, housekeeping) are a 403: only services and schedules enqueue them. A `notifications.send` job also needs `notifications:send`, and identity’s and `security` templates are a 403, as on the send route.',
  middleware: [needs('jobs:write')] as const,
  request: { body: { content: { 'application/json': { schema: EnqueueJobSchema } }, required: true } },
  responses: {
    201: json(JobSchema, 'The new job'),
    200: json(JobSchema, 'The job this idempotency key made'),
    ...problems(400, 401, 403),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/jobs',
  tags: ['jobs'],
  summary: 'List jobs',
  description: 'Newest first, filtered by status and type. Needs `jobs:read`.',
  middleware: [needs('jobs:read')] as const,
  request: {
    query: ListQuerySchema.extend({
      status: z.enum(JOB_STATUSES).optional(),
      type: z.string().min(1).max(100).optional(),
    }),
  },
  responses: { 200: json(listOf(JobSchema), 'One page of jobs'), ...problems(400, 401, 403) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/jobs/{id}',
  tags: ['jobs'],
  summary: 'Get a job with its attempts',
  middleware: [needs('jobs:read')] as const,
  request: { params: JobIdParams },
  responses: { 200: json(JobDetailSchema, 'The job'), ...problems(401, 403, 404) },
});

const actionRoute = (action: 'cancel' | 'retry', summary: string, description: string) =>
  createRoute({
    method: 'post',
    path: `/api/v1/jobs/{id}/${action}`,
    tags: ['jobs'],
    summary,
    description: `${description} Needs \`jobs:write\`.`,
    middleware: [needs('jobs:write')] as const,
    request: { params: JobIdParams },
    responses: { 200: json(JobSchema, 'The job after the change'), ...problems(401, 403, 404, 409) },
  });

const cancelRoute = actionRoute('cancel', 'Cancel a pending job', 'Only a scheduled or queued job; otherwise 409.');
const retryRoute = actionRoute(
  'retry',
  'Replay a dead job',
  'A dead (or failed) job runs again with a fresh attempt budget, its payload unchanged (internal types too: the payload is the one a service or schedule wrote); otherwise 409.',
);

/** Jobs: enqueue, list, inspect, cancel and replay. */
export function jobRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(enqueueRoute, async (c) => {
    const result = await enqueueJob(c.env, c.req.valid('json'), new Date(), { caller: requirePrincipal(c) });
    if (!result.ok) {
      if (result.error.code === 'FORBIDDEN') throw new AppError('FORBIDDEN', result.error.detail);
      throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
        errors: result.issues.map((i) => ({ path: i.path, message: i.message })),
      });
    }
    return c.json(toView(result.row), result.created ? 201 : 200);
  });

  app.openapi(listRoute, async (c) => {
    const { limit, cursor, status, type } = c.req.valid('query');
    const after = cursor === undefined ? undefined : positionOf(cursor);
    return c.json(page(await listJobs(c.env.DB, { status, type, after, limit }), limit, toView), 200);
  });
}

/** The routes under `/api/v1/jobs/{id}`: registered after the fixed paths (`/dead-letters`, `/schedules`). */
export function jobIdRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await findJob(c.env.DB, id);
    if (!row) throw new AppError('NOT_FOUND', `No job ${id}.`);
    return c.json({ ...toView(row), attemptLog: await attemptsOf(c.env.DB, id) }, 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const result = await cancelJob(c.env.DB, c.req.valid('param').id);
    if (!result.ok) throw new AppError(result.code, result.detail);
    return c.json(toView(result.row), 200);
  });

  app.openapi(retryRoute, async (c) => {
    const result = await replayJob(c.env, c.req.valid('param').id);
    if (!result.ok) throw new AppError(result.code, result.detail);
    return c.json(toView(result.row), 200);
  });
}
