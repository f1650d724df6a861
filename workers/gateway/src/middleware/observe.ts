import { ownerOf } from '@onasis/contracts';
import { endpointTemplate } from '@onasis/http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { collector, flushMetrics } from '../metrics/collector.js';

/**
 * The route template to report: the one a domain service matched, else the gateway's own endpoint, else the owning
 * service's prefix; `unmatched` for any 404 so that scanners cannot grow the label set.
 */
function routeTemplateOf(c: Context<AppEnv>): string {
  const reported = c.get('routeTemplate');
  if (reported) return reported;
  if (c.res.status === 404) return 'unmatched';
  const endpoint = endpointTemplate(c);
  if (endpoint) return endpoint;
  const service = ownerOf(c.req.path);
  return service ? `/${service}/*` : 'unmatched';
}

/**
 * Measures every request: the per-isolate metrics batch, one Analytics Engine data point (where bound), and one
 * structured access-log line with the route template, never the raw path, query or body.
 */
export function observe(): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const started = performance.now();
    collector.inFlight += 1;
    try {
      await next();
    } finally {
      collector.inFlight -= 1;
    }
    const durationMs = performance.now() - started;
    const status = c.res.status;
    const route = routeTemplateOf(c);
    const method = c.req.method;
    const upstream = c.get('service') ?? null;
    collector.record(method, route, status, durationMs / 1000);
    c.env.REQUEST_ANALYTICS?.writeDataPoint({
      indexes: [route.slice(0, 96)],
      blobs: [method, route, String(status), upstream ?? 'gateway'],
      doubles: [durationMs, status],
    });
    c.get('log').info('request', { method, route, status, durationMs: Math.round(durationMs * 100) / 100, upstream });
    if (collector.due()) c.executionCtx.waitUntil(flushMetrics(c.env));
  };
}
