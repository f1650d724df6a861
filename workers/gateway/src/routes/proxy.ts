import type { OpenAPIHono } from '@hono/zod-openapi';
import { ownerOf, ROUTE_HEADER } from '@onasis/contracts';
import { AppError, notFound } from '@onasis/http';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { collector } from '../metrics/collector.js';
import { bindingOf, TimeoutError, withTimeout } from '../services/bindings.js';

/**
 * The client's address as Cloudflare's edge set it. Only this header: X-Forwarded-For and the like are whatever the
 * client wrote. The request meta holds at most 64 characters, far more than any IP address.
 */
function clientIpOf(header: string | undefined): string | undefined {
  return header !== undefined && header.length <= 64 ? header : undefined;
}

/**
 * Hands every request under a service's prefixes to that service over RPC, with the request context the gateway
 * established. The service's own router answers 404/405 for paths it does not have.
 */
export function proxyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.all('*', async (c) => {
    const service = ownerOf(c.req.path);
    // Returned, not thrown: an Error captures a stack trace, the dearest part of a 404.
    if (!service) return notFound(c);
    c.set('service', service);
    const meta = {
      requestId: c.get('requestId'),
      traceparent: c.get('traceparent'),
      principal: c.get('principal'),
      clientIp: clientIpOf(c.req.header('cf-connecting-ip')),
    };
    let upstream: Response;
    try {
      upstream = await withTimeout(
        bindingOf(c.env, service).handle(c.req.raw, meta),
        configOf(c.env).upstreamTimeoutMs,
      );
    } catch (err) {
      collector.recordUpstreamError(service);
      c.get('log').error('upstream call failed', { upstream: service, err: String(err) });
      if (err instanceof TimeoutError)
        throw new AppError('UPSTREAM_TIMEOUT', `The ${service} service did not answer in time.`);
      throw new AppError('UPSTREAM_FAILED', `The ${service} service failed to answer.`);
    }
    if (upstream.status >= 500) collector.recordUpstreamError(service);
    const route = upstream.headers.get(ROUTE_HEADER);
    if (route) c.set('routeTemplate', route);
    // Responses from RPC have immutable headers; copying is what lets the gateway add its own and drop internal ones.
    const res = new Response(upstream.body, upstream);
    res.headers.delete(ROUTE_HEADER);
    return res;
  });
}
