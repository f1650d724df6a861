import type { OpenAPIHono } from '@hono/zod-openapi';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { Scalar } from '@scalar/hono-api-reference';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { bindingOf } from '../services/bindings.js';
import { mergeOpenApi, type PartSource } from '../services/openapi.js';

// The merged document only changes with a deploy, so an isolate keeps it once every service has answered.
const complete = new WeakMap<object, object>();

/** Where the API reference's browser bundle is served from (static assets, see scripts/static-assets.mjs). */
const REFERENCE_BUNDLE = '/docs/assets/api-reference.js';

// Everything the page needs comes from this origin; its one inline script is allowed by a per-response nonce.
const docsCsp = (nonce: string) =>
  [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    // The bundle injects its stylesheet at run time.
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
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

  app.get(`${REFERENCE_BUNDLE.slice(0, REFERENCE_BUNDLE.lastIndexOf('/'))}/*`, async (c) => {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status === 404) throw new AppError('ROUTE_NOT_FOUND', `No route for GET ${c.req.path}.`);
    const res = new Response(asset.body, asset);
    if (res.ok) res.headers.set('cache-control', 'public, max-age=3600');
    return res;
  });

  app.get(
    '/docs',
    Scalar((c) => {
      const nonce = crypto.randomUUID().replaceAll('-', '');
      c.header('content-security-policy', docsCsp(nonce));
      return {
        url: '/openapi.json',
        pageTitle: 'Onasis Core API reference',
        cdn: REFERENCE_BUNDLE,
        nonce,
        withDefaultFonts: false,
      };
    }),
  );
}
