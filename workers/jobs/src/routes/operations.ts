import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { startScheduleRun } from '../cron.js';
import { SCHEDULES } from '../schedules.js';
import { findJob, toView } from '../services/job-rows.js';
import { listJobs } from '../services/list-jobs.js';
import { scheduleViews } from '../services/schedule-views.js';
import { needs, page, positionOf, problems } from './common.js';
import { JobSchema, ScheduleSchema } from './schemas.js';

const deadLettersRoute = createRoute({
  method: 'get',
  path: '/api/v1/jobs/dead-letters',
  tags: ['jobs'],
  summary: 'List dead jobs',
  description:
    'Jobs out of attempts (or refused as never retryable), newest first, with payload and last error; replay one with `POST /api/v1/jobs/{id}/retry`. Needs `jobs:read`.',
  middleware: [needs('jobs:read')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: { description: 'One page of dead jobs', content: { 'application/json': { schema: listOf(JobSchema) } } },
    ...problems(400, 401, 403),
  },
});

const schedulesRoute = createRoute({
  method: 'get',
  path: '/api/v1/jobs/schedules',
  tags: ['jobs'],
  summary: 'List cron schedules',
  description:
    'Each schedule declared in code, with its last run (status, start, duration, error) and next run. Needs `jobs:read`.',
  middleware: [needs('jobs:read')] as const,
  responses: {
    200: { description: 'The schedules', content: { 'application/json': { schema: listOf(ScheduleSchema) } } },
    ...problems(401, 403),
  },
});

const runScheduleRoute = createRoute({
  method: 'post',
  path: '/api/v1/jobs/schedules/{name}/run',
  tags: ['jobs'],
  summary: 'Run a schedule now',
  description:
    "Starts one run of a schedule outside its cron, recorded like a tick (for an operator, or locally, where `wrangler dev` fires only the gateway's crons). Every call is a new run. Needs `jobs:write`.",
  middleware: [needs('jobs:write')] as const,
  request: { params: z.object({ name: z.string().min(1).max(100) }) },
  responses: {
    202: { description: 'The job of the run', content: { 'application/json': { schema: JobSchema } } },
    ...problems(401, 403, 404),
  },
});

/** Operators' views: dead letters and schedules. */
export function operationRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(deadLettersRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor === undefined ? undefined : positionOf(cursor);
    return c.json(page(await listJobs(c.env.DB, { status: 'dead', after, limit }), limit, toView), 200);
  });

  app.openapi(schedulesRoute, async (c) => c.json({ data: await scheduleViews(c.env.DB), nextCursor: null }, 200));

  app.openapi(runScheduleRoute, async (c) => {
    const schedule = SCHEDULES.find((s) => s.name === c.req.valid('param').name);
    if (!schedule) throw new AppError('NOT_FOUND', 'No schedule has this name.');
    const job = await findJob(c.env.DB, await startScheduleRun(c.env, schedule, new Date()));
    if (!job) throw new Error('the run of a schedule has no job');
    return c.json(toView(job), 202);
  });
}
