import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { PERIODS } from '../services/periods.js';
import { platformAggregate, platformTimeseries } from '../services/platform-metrics.js';
import {
  DEFAULT_PLATFORM_METRICS,
  PLATFORM_INTERVALS,
  PLATFORM_METRICS,
  parsePlatformQuery,
} from '../services/platform-query.js';
import { problems } from './problems.js';

const text = (description: string) => z.string().optional().openapi({ description });

const PlatformQuerySchema = z.object({
  metrics: text(`Comma-separated: ${PLATFORM_METRICS.join(', ')} (default ${DEFAULT_PLATFORM_METRICS.join(',')}).`),
  period: text(`${PERIODS.join(', ')} (default 30d); UTC days, today included.`),
  from: text('First day, YYYY-MM-DD: with period=custom only.'),
  to: text('Last day, YYYY-MM-DD: with period=custom only; at most 5 years after `from`.'),
  interval: text(`${PLATFORM_INTERVALS.join(', ')}: a timeseries instead of an aggregate.`),
});

const Money = z.record(z.string(), z.number()).openapi({ description: 'Minor units per lower-case currency.' });

const figures = {
  signups: z.number().optional(),
  revenue: Money.optional(),
  refunds: Money.optional(),
  mrr: Money.optional().openapi({ description: 'Monthly recurring revenue at the end of the period or bucket.' }),
  storage_uploaded: z.number().optional().openapi({ description: 'Bytes.' }),
  storage_deleted: z.number().optional().openapi({ description: 'Bytes.' }),
  subscriptions_started: z.number().optional(),
  subscriptions_canceled: z.number().optional(),
};

const PlatformAggregateSchema = z
  .object({
    ...figures,
    active_users: z
      .object({ daily: z.number(), weekly: z.number(), monthly: z.number() })
      .optional()
      .openapi({ description: 'Distinct users with any business event in the 1, 7 and 30 days ending the period.' }),
  })
  .openapi('PlatformAggregate');

const PlatformPointSchema = z
  .object({
    date: z.string().openapi({ description: '`YYYY-MM-DD`, or `YYYY-MM` with interval=month.' }),
    ...figures,
    active_users: z.number().optional().openapi({ description: 'Distinct users with any business event in it.' }),
  })
  .openapi('PlatformPoint');

const PlatformStatsSchema = z
  .object({ data: z.union([PlatformAggregateSchema, z.array(PlatformPointSchema)]) })
  .openapi('PlatformStats');

const platformRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('analytics:manage'),
  tags: ['analytics'],
  summary: 'Platform figures',
  description:
    'Signups, active users, revenue, refunds, MRR and storage from the business events identity, payments and ' +
    'files publish, per UTC day: an aggregate of the period, or a timeseries with `interval`. Every bad parameter ' +
    'is named in one 400.',
  request: { query: PlatformQuerySchema },
  responses: { 200: jsonResponse(PlatformStatsSchema, 'The figures'), ...problems(400, 401, 403) },
});

/** `GET /api/v1/analytics/platform`: the platform's business figures, for analytics admins. */
export const platformRoutes = resourceApp<AppEnv>();

platformRoutes.openapi(platformRoute, async (c) => {
  const query = parsePlatformQuery(c.req.valid('query'), new Date().toISOString().slice(0, 10));
  const db = dbOf(c.env.DB);
  const { interval } = query;
  if (interval) return c.json({ data: await platformTimeseries(db, { ...query, interval }) }, 200);
  return c.json({ data: await platformAggregate(db, query) }, 200);
});
