import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { SERVICE_NAMES } from '@onasis/contracts';
import { access, jsonResponse } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { flushMetrics } from '../metrics/collector.js';
import { currentHealth } from './health.js';

/** The window the overview's rates cover: long enough to smooth a burst, short enough to show an incident. */
const WINDOW_MS = 5 * 60_000;
const OWNERS = [...SERVICE_NAMES, 'gateway'] as const;

const FiguresSchema = z.object({
  requests: z.number().int().openapi({ description: 'Requests in the window (since the counters began without one).' }),
  requestsPerSecond: z.number().nullable(),
  errorRate: z.number().nullable().openapi({ description: 'Share of answers with status 500 or more.' }),
  p95Ms: z.number().nullable().openapi({ description: '95th percentile of the time to answer, in milliseconds.' }),
});

const OverviewSchema = z
  .object({
    generatedAt: z.string(),
    windowSeconds: z.number().int().nullable().openapi({
      description: 'How many seconds the rates cover (up to 300); null until a second sample of the counters exists.',
    }),
    status: z.enum(['ok', 'degraded']),
    services: z.array(
      FiguresSchema.extend({
        name: z.string(),
        health: z.enum(['ok', 'degraded', 'error', 'timeout']).nullable().openapi({
          description: 'The service’s own health check; null for the gateway itself.',
        }),
        breaker: z.enum(['closed', 'half_open', 'open']).nullable(),
      }),
    ),
    total: FiguresSchema.extend({
      cacheHitRatio: z.number().nullable().openapi({ description: 'Response-cache lookups answered from the cache.' }),
    }),
  })
  .openapi('PlatformOverview');

const overview = createRoute({
  method: 'get',
  path: '/api/v1/overview',
  ...access('metrics:read'),
  tags: ['platform'],
  summary: 'Platform overview',
  description:
    'What the console’s first page shows: every service’s health and circuit breaker, and per service and in total ' +
    'the request rate, error rate and p95 latency over the last five minutes, with the response cache’s hit ratio. ' +
    'The same counters `/metrics` exposes, for operators signed in with `metrics:read`.',
  responses: { 200: jsonResponse(OverviewSchema, 'The overview') },
});

/** `GET /api/v1/overview`. */
export function overviewRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(overview, async (c) => {
    // This isolate's own requests go in first, as for /metrics.
    await flushMetrics(c.env);
    const [health, figures] = await Promise.all([
      currentHealth(c.env, Date.now()),
      c.env.METRICS.get(c.env.METRICS.idFromName('global')).overview(OWNERS, WINDOW_MS),
    ]);
    const services = figures.owners.map((owner) => {
      const service = SERVICE_NAMES.find((name) => name === owner.name);
      return {
        ...owner,
        health: service ? health.services[service] : null,
        breaker: service ? (figures.breakers[service] ?? health.breakers?.[service] ?? 'closed') : null,
      };
    });
    c.header('cache-control', 'no-store');
    return c.json(
      {
        generatedAt: new Date().toISOString(),
        windowSeconds: figures.windowSeconds,
        status: health.status,
        services,
        total: figures.total,
      },
      200,
    );
  });
}
