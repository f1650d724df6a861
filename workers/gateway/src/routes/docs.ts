import type { OpenAPIHono } from '@hono/zod-openapi';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { Scalar } from '@scalar/hono-api-reference';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { bindingOf } from '../services/bindings.js';
import { mergeOpenApi, type PartSource } from '../services/openapi.js';

// The merged document only changes with a deploy, so an isolate keeps it once every service has answered.
const complete = new WeakMap<object, object>();

const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
  "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com",
  "font-src 'self' data: https://fonts.scalar.com https://cdn.jsdelivr.net",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /openapi.json` (OpenAPI 3.1, every service merged) and `GET /docs` (interactive reference). */
export function docsRoutes(app: OpenAPIHono<AppEnv>): void {
  app.get('/openapi.json', async (c) => {
    // `servers` names the origin this request came in on, so it is added per request and never cached.
    const servers = [{ url: new URL(c.req.url).origin }];
    const cached = complete.get(c.env);
    if (cached) return c.json({ ...cached, servers });
    const base = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Onasis Core API',
        version: '1.0.0',
        description: 'Identity, payments, notifications, analytics, files and jobs behind one gateway.',
      },
    });
    base.components = {
      ...base.components,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    };
    const sources = Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, (() => bindingOf(c.env, name).openapi()) as PartSource]),
    ) as Record<ServiceName, PartSource>;
    const merged = await mergeOpenApi(
      base as unknown as Parameters<typeof mergeOpenApi>[0],
      sources,
      configOf(c.env).healthTimeoutMs,
    );
    if (merged.complete) complete.set(c.env, merged.document);
    c.header('cache-control', 'no-cache');
    return c.json({ ...merged.document, servers });
  });

  app.get(
    '/docs',
    async (c, next) => {
      await next();
      c.res.headers.set('content-security-policy', DOCS_CSP);
    },
    Scalar({ url: '/openapi.json', pageTitle: 'Onasis Core API reference' }),
  );
}
