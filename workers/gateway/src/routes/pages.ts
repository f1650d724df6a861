import type { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';

/**
 * The dashboard's pages ask for nothing from another origin and run no inline script: the API, its scripts, styles
 * and chart library all come from this origin (scripts/static-assets.mjs copies them into the static assets).
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** A static asset as the gateway serves it, or the platform's 404 problem when there is none. */
async function asset(c: Context<AppEnv>, path: string, cacheControl: string): Promise<Response> {
  const url = new URL(path, c.req.url);
  const found = await c.env.ASSETS.fetch(new Request(url, { headers: c.req.raw.headers }));
  // The assets layer answers trailing-slash redirects of its own; the gateway names its pages itself. A 304 (the
  // browser's copy still good, as `no-cache` makes it ask) passes through.
  if (found.status === 404 || (found.status >= 300 && found.status < 400 && found.status !== 304)) {
    throw new AppError('ROUTE_NOT_FOUND', `No route for GET ${c.req.path}.`);
  }
  const res = new Response(found.body, found);
  res.headers.set('cache-control', found.ok || found.status === 304 ? cacheControl : 'no-store');
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
    res.headers.set('content-security-policy', PAGE_CSP);
  }
  return res;
}

/**
 * The operator console (`/console`), the analytics dashboard (`/dashboard`, its sign-in page and files) and the
 * tracking script (`/js/script.js`), served from the static assets. Pages revalidate on every load, so a deploy shows
 * at once; the console's scripts and styles carry a content hash in their names, so browsers keep them for a year;
 * the tracking script is cached a day by browsers (sites embed it on every page) and revalidated by ETag after that.
 */
export function pageRoutes(app: OpenAPIHono<AppEnv>): void {
  app.get('/js/script.js', (c) => asset(c, '/js/script.js', 'public, max-age=86400, stale-while-revalidate=604800'));
  app.get('/console/assets/*', (c) => asset(c, c.req.path, 'public, max-age=31536000, immutable'));
  // The console routes in the browser: every other path under /console is its one page, which shows its own 404.
  app.get('/console', (c) => asset(c, '/console/', 'no-cache'));
  app.get('/console/*', (c) => asset(c, '/console/', 'no-cache'));
  app.get('/dashboard', (c) => asset(c, '/dashboard/', 'no-cache'));
  app.get('/dashboard/sign-in', (c) => asset(c, '/dashboard/sign-in', 'no-cache'));
  app.get('/dashboard/vendor/*', (c) => asset(c, c.req.path, 'public, max-age=86400'));
  app.get('/dashboard/*', (c) => asset(c, c.req.path, 'no-cache'));
}
