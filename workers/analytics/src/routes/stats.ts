import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '@onasis/contracts';
import { AppError, access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import type { Site } from '../db/schema.js';
import { DIMENSIONS, METRICS } from '../services/dimensions.js';
import { exportFilename, exportStream, parseExportQuery } from '../services/export-csv.js';
import { funnelOf, parseFunnelQuery } from '../services/funnel.js';
import { rawFunnelOf } from '../services/funnel-raw.js';
import { INTERVALS, PERIODS } from '../services/periods.js';
import { intParam, ParamErrors, parseStatsQuery } from '../services/query-params.js';
import { realtimeVisitors } from '../services/realtime.js';
import { retentionCohorts } from '../services/retention.js';
import { findSiteFor, isAnalyticsAdmin } from '../services/site-access.js';
import { localTime } from '../services/site-time.js';
import { runStats, type StatsDeps } from '../services/stats-query.js';
import { problems } from './problems.js';

const SiteParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'sit_3f9c0a6b1e2d4c5f8a7b6c5d4e3f2a1b' }),
});

const text = (description: string) => z.string().optional().openapi({ description });

const PeriodQuery = {
  period: text(`${PERIODS.join(', ')} (default 30d); site-local, today included.`),
  from: text('First day, YYYY-MM-DD: with period=custom only.'),
  to: text('Last day, YYYY-MM-DD: with period=custom only; at most 5 years after `from`.'),
};

const FilterQuery = {
  filters: text('`dimension==a|b;dimension!=c` (Plausible v1), values URL-decoded; up to 10.'),
};

const StatsQuerySchema = z.object({
  metrics: text(`Comma-separated: ${METRICS.join(', ')} (default visitors).`),
  ...PeriodQuery,
  interval: text(`${INTERVALS.join(', ')}: a timeseries (hour for periods of at most 7 days).`),
  dimension: text(`${DIMENSIONS.join(', ')}: a breakdown.`),
  ...FilterQuery,
  limit: text('Breakdown rows, 1–1000 (default 10).'),
  page: text('Breakdown page, from 1.'),
  compute: text('`raw`: compute from raw events even when rollups answer (`analytics:manage`).'),
});

const StatsSchema = z
  .object({
    data: z.union([
      z.record(z.string(), z.number()).openapi({ description: 'Aggregate: the asked metrics.' }),
      z
        .array(z.record(z.string(), z.union([z.string(), z.number()])))
        .openapi({ description: 'Timeseries rows (`date` + metrics) or breakdown rows (`value` + metrics).' }),
    ]),
    meta: z.object({
      source: z.enum(['rollups', 'raw']),
      rawFrom: z.string().optional().openapi({ description: 'Raw events are kept from this day only.' }),
    }),
  })
  .openapi('SiteStats');

const route = <R extends Parameters<typeof createRoute>[0]>(r: R) =>
  createRoute({ ...r, ...access('analytics:read'), tags: ['analytics'] });

const statsRoute = route({
  method: 'get',
  path: '/stats',
  summary: 'Site statistics',
  description:
    'An aggregate, a timeseries (`interval`) or a breakdown (`dimension`) of the site, in its time zone. Answered ' +
    'from rollups; several filters, `!=` or a filter on another dimension than the breakdown are computed from raw ' +
    'events (`meta.source: raw`), which are kept for a limited time (`meta.rawFrom`).',
  request: { params: SiteParams, query: StatsQuerySchema },
  responses: { 200: jsonResponse(StatsSchema, 'The statistics'), ...problems(400, 401, 403, 404) },
});

const realtimeRoute = route({
  method: 'get',
  path: '/realtime',
  summary: 'Visitors now',
  description: 'Distinct visitors with an event in the last 5 minutes.',
  request: { params: SiteParams },
  responses: {
    200: jsonResponse(z.object({ visitors: z.number().int() }).openapi('RealtimeVisitors'), 'Visitors now'),
    ...problems(401, 403, 404),
  },
});

const funnelRoute = route({
  method: 'get',
  path: '/funnel',
  summary: 'Funnel',
  description:
    'Visitors whose visit went through the steps in order within `window` seconds of the first, and the share of ' +
    "the first step's visitors each step keeps.",
  request: {
    params: SiteParams,
    query: z.object({
      steps: text('2–8 steps, comma-separated: a pathname (`/blog*` a prefix) or `event:<name>`.'),
      window: text('Most seconds from the first step to the last, 1–86400 (default 3600).'),
      ...PeriodQuery,
      compute: text('`raw`: compute from raw events instead of the funnel index (`analytics:manage`).'),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          data: z.array(z.object({ step: z.string(), visitors: z.number().int(), conversionRate: z.number() })),
        })
        .openapi('Funnel'),
      'The funnel',
    ),
    ...problems(400, 401, 403, 404),
  },
});

const retentionRoute = route({
  method: 'get',
  path: '/retention',
  summary: 'Weekly retention',
  description:
    "Cohorts of identified users by their first active week (site-local Monday): each week's share of the cohort " +
    'active again, for the weeks that have begun.',
  request: { params: SiteParams, query: z.object({ weeks: text('Cohorts, 1–26 (default 8).') }) },
  responses: {
    200: jsonResponse(
      z
        .object({
          data: z.array(z.object({ cohort: z.string(), users: z.number().int(), weeks: z.array(z.number()) })),
        })
        .openapi('Retention'),
      'The cohorts',
    ),
    ...problems(400, 401, 403, 404),
  },
});

const exportRoute = route({
  method: 'get',
  path: '/export.csv',
  summary: 'Export as CSV',
  description:
    'Every metric, streamed as CSV: the daily timeseries, or with `dimension` the whole breakdown. Text cells that ' +
    "a spreadsheet would run as a formula get a leading `'`.",
  request: {
    params: SiteParams,
    query: z.object({ ...PeriodQuery, dimension: text('A breakdown instead.'), ...FilterQuery }),
  },
  responses: {
    200: { description: 'The CSV', content: { 'text/csv': { schema: z.string() } } },
    ...problems(400, 401, 403, 404),
  },
});

/** `compute=raw` scans raw events, far dearer than the answer it checks: an operator's tool (403 for anyone else). */
function refuseRawUnlessAdmin(raw: boolean, caller: Principal): void {
  if (raw && !isAnalyticsAdmin(caller)) throw new AppError('FORBIDDEN', 'compute=raw needs analytics:manage.');
}

/** The caller's live site `id` with its site-local today, or the 404 a missing or foreign site gets. */
async function siteOf(c: Context<AppEnv>, id: string): Promise<{ site: Site; today: string; caller: Principal }> {
  const caller = requirePrincipal(c);
  const site = await findSiteFor(dbOf(c.env.DB), caller, id);
  if (!site) throw new AppError('NOT_FOUND', 'No such site.');
  return { site, today: localTime(Date.now(), site.timezone).date, caller };
}

const depsOf = (c: Context<AppEnv>, today: string): StatsDeps => ({
  db: dbOf(c.env.DB),
  today,
  retentionDays: Number(c.env.ANALYTICS_RAW_RETENTION_DAYS) || 30,
});

/** `/api/v1/analytics/sites/{id}/…`: stats, realtime, funnel, retention and the CSV export of one site. */
export const statsRoutes = resourceApp<AppEnv>();

statsRoutes.openapi(statsRoute, async (c) => {
  const { site, today, caller } = await siteOf(c, c.req.valid('param').id);
  const q = parseStatsQuery(c.req.valid('query'), today);
  refuseRawUnlessAdmin(q.raw, caller);
  return c.json(await runStats(depsOf(c, today), site, q), 200);
});

statsRoutes.openapi(realtimeRoute, async (c) => {
  const { site } = await siteOf(c, c.req.valid('param').id);
  return c.json({ visitors: await realtimeVisitors(dbOf(c.env.DB), site.id) }, 200);
});

statsRoutes.openapi(funnelRoute, async (c) => {
  const { site, today, caller } = await siteOf(c, c.req.valid('param').id);
  const fq = parseFunnelQuery(c.req.valid('query'), today);
  refuseRawUnlessAdmin(fq.raw, caller);
  const db = dbOf(c.env.DB);
  return c.json({ data: await (fq.raw ? rawFunnelOf(db, site.id, fq) : funnelOf(db, site.id, fq)) }, 200);
});

statsRoutes.openapi(retentionRoute, async (c) => {
  const { site, today } = await siteOf(c, c.req.valid('param').id);
  const errors = new ParamErrors();
  const weeks = intParam(c.req.valid('query'), 'weeks', 8, 1, 26, errors);
  errors.check();
  return c.json({ data: await retentionCohorts(dbOf(c.env.DB), site.id, today, weeks) }, 200);
});

statsRoutes.openapi(exportRoute, async (c) => {
  const { site, today } = await siteOf(c, c.req.valid('param').id);
  const q = parseExportQuery(c.req.valid('query'), today);
  return new Response(exportStream(depsOf(c, today), site, q), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFilename(site, q)}"`,
    },
  });
});
