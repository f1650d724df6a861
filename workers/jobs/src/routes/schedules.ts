import { createRoute, z } from '@hono/zod-openapi';
import { listOf } from '@onasis/contracts';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { toView } from '../services/job-rows.js';
import { listSchedules } from '../services/list-schedules.js';
import { runScheduleNow } from '../services/start-schedule-run.js';
import { problems } from './problems.js';
import { JobSchema, ScheduleSchema } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('jobs:read'),
  tags: ['jobs'],
  summary: 'List cron schedules',
  description:
    'Each schedule declared in code, with its last run (status, start, duration, error) and next run. Needs `jobs:read`.',
  responses: { 200: jsonResponse(listOf(ScheduleSchema), 'The schedules'), ...problems(401, 403) },
});

const runRoute = createRoute({
  method: 'post',
  path: '/{name}/run',
  ...access('jobs:write'),
  tags: ['jobs'],
  summary: 'Run a schedule now',
  description:
    "Starts one run of a schedule outside its cron, recorded like a tick (for an operator, or locally, where `wrangler dev` fires only the gateway's crons). Every call is a new run. Needs `jobs:write`.",
  request: { params: z.object({ name: z.string().min(1).max(100) }) },
  responses: { 202: jsonResponse(JobSchema, 'The job of the run'), ...problems(401, 403, 404) },
});

/** Cron schedules: their last and next runs, and a run on demand. */
export const schedules = resourceApp<AppEnv>();

schedules.openapi(listRoute, async (c) => c.json({ data: await listSchedules(dbOf(c.env.DB)), nextCursor: null }, 200));

schedules.openapi(runRoute, async (c) => {
  const job = await runScheduleNow(c.env, c.req.valid('param').name);
  if (!job) throw new AppError('NOT_FOUND', 'No schedule has this name.');
  return c.json(toView(job), 202);
});
