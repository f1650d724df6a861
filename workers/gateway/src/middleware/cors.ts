import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { configOf, OPEN_CORS_PATHS } from '../config.js';
import type { AppEnv } from '../context.js';

const EXPOSE_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Idempotent-Replayed',
  'X-Cache',
  'Deprecation',
  'Sunset',
  'X-Quota-Limit',
  'X-Quota-Remaining',
  'X-Quota-Reset',
  // tus 1.0 (resumable uploads): a browser client must read these off the answers to resume.
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Metadata',
  'Onasis-File-Id',
  'ETag',
  'Content-Range',
  'Accept-Ranges',
  'Content-Disposition',
];

/** Hono's CORS middleware, used as is for preflights. */
const preflight = cors({
  origin: (origin, c) => (configOf(c.env).corsOrigins.has(origin) ? origin : null),
  credentials: true,
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: [
    'Authorization',
    'Content-Type',
    'Idempotency-Key',
    'X-Request-Id',
    'X-API-Key',
    'traceparent',
    'X-File-Name',
    'Range',
    'If-None-Match',
    'Tus-Resumable',
    'Upload-Length',
    'Upload-Offset',
    'Upload-Metadata',
    'Upload-Defer-Length',
    'X-HTTP-Method-Override',
  ],
  exposeHeaders: EXPOSE_HEADERS,
  maxAge: 600,
});
const EXPOSE = EXPOSE_HEADERS.join(',');

/** Preflights of the open paths (OPEN_CORS_PATHS): any origin, without credentials, only what a tracker sends. */
const openPreflight = cors({
  origin: '*',
  allowMethods: ['POST', 'OPTIONS'],
  allowHeaders: ['Content-Type'],
  exposeHeaders: ['X-Request-Id'],
  maxAge: 86400,
});

/**
 * CORS for the origins listed in `CORS_ORIGINS`; any other origin gets no CORS headers, so browsers refuse it.
 * Preflights go to Hono's middleware; every other request gets the same headers it would set, but added to the final
 * response once, after the handler: Hono's version sets them on a placeholder response before the handler, which
 * costs two extra Response copies per request (the merge in `c.res = …` and `c.header('Vary', …)`).
 */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  return async function corsPolicy(c, next) {
    // Only a preflight is CORS's to answer; any other OPTIONS is a request like the rest (tus discovery).
    const open = OPEN_CORS_PATHS.has(c.req.path);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
      return (open ? openPreflight : preflight)(c, next);
    }
    const origin = c.req.header('origin');
    await next();
    let h = c.res.headers;
    try {
      h.append('Vary', 'Origin');
    } catch {
      // Immutable headers (a Response passed through from fetch or RPC): copy it once, as c.header() would.
      c.res = new Response(c.res.body, c.res);
      h = c.res.headers;
      h.append('Vary', 'Origin');
    }
    if (open) {
      // Any page may send here; none may read an answer with credentials.
      h.set('Access-Control-Allow-Origin', '*');
      h.set('Access-Control-Expose-Headers', 'X-Request-Id');
      return;
    }
    // Only a listed origin gets a grant; anyone else sees nothing CORS-related beyond `Vary`.
    if (!origin || !configOf(c.env).corsOrigins.has(origin)) return;
    h.set('Access-Control-Allow-Origin', origin);
    h.set('Access-Control-Allow-Credentials', 'true');
    h.set('Access-Control-Expose-Headers', EXPOSE);
  };
}
