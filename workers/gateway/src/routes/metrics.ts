import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { SERVICE_NAMES } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { flushMetrics } from '../metrics/collector.js';
import { metricsAccess } from '../services/metrics-token.js';

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['platform'],
  summary: 'Prometheus metrics of every gateway isolate',
  description:
    'Text exposition format 0.0.4. Requires `Authorization: Bearer <METRICS_TOKEN>` when that secret is set; outside local development it must be set.',
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'Metrics', content: { 'text/plain; version=0.0.4': { schema: z.string() } } },
  },
});

/** `GET /metrics`. */
export function metricsRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(metrics, async (c) => {
    const access = await metricsAccess(c.env, c.req.header('authorization'));
    if (access === 'wrong_token') {
      throw new AppError('UNAUTHENTICATED', 'Send the metrics token as a bearer token.', {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
    }
    if (access === 'disabled')
      throw new AppError('FORBIDDEN', 'Metrics are disabled until the METRICS_TOKEN secret is set.');
    // This isolate's own counts go first so that a scrape always includes the requests it can see.
    await flushMetrics(c.env);
    const text = await c.env.METRICS.get(c.env.METRICS.idFromName('global')).render(SERVICE_NAMES);
    return c.text(text, 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
    });
  });
}
