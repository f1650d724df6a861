import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';

/** CORS for the origins listed in `CORS_ORIGINS`; any other origin gets no CORS headers, so browsers refuse it. */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin, c) => (configOf(c.env).corsOrigins.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-API-Key', 'traceparent'],
    exposeHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
      'Idempotent-Replayed',
      'X-Cache',
      'Deprecation',
      'Sunset',
    ],
    maxAge: 600,
  });
}
