import { ownerOf, ROUTE_HEADER } from '@onasis/contracts';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { collector } from '../metrics/collector.js';

/** Header naming the request headers a cached variant was chosen by; kept on the index entry only. */
const VARY_INDEX = 'x-onasis-vary';

function maxAgeOf(cacheControl: string): number | null {
  const match = /(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : null;
}

/**
 * Whether a service's answer may be kept at the gateway: a 200 that says `public` with a positive max-age, and
 * nothing that makes it personal (`private`, `no-store`, `no-cache`, a cookie, `Vary: *`).
 */
function storable(res: Response): boolean {
  if (res.status !== 200) return false;
  const cc = res.headers.get('cache-control') ?? '';
  if (!/\bpublic\b/i.test(cc) || /\b(private|no-store|no-cache)\b/i.test(cc)) return false;
  if ((maxAgeOf(cc) ?? 0) <= 0) return false;
  if (res.headers.has('set-cookie')) return false;
  return (res.headers.get('vary') ?? '').trim() !== '*';
}

/** The cache key of one variant: the URL plus the values of the request headers the response varies by. */
function variantKey(url: URL, vary: string[], headers: Headers): Request {
  if (vary.length === 0) return new Request(url.href);
  const key = new URL(url.href);
  key.searchParams.set('__vary', vary.map((h) => `${h}=${headers.get(h) ?? ''}`).join('&'));
  return new Request(key.href);
}

function varyList(vary: string | null): string[] {
  return (vary ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}

function etagMatches(ifNoneMatch: string | undefined, etag: string | null): boolean {
  if (!ifNoneMatch || !etag) return false;
  const weakless = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => weakless(t) === weakless(etag));
}

/** How long an isolate skips the lookup for a path that answered with something it may not store. */
const UNCACHEABLE_MS = 60_000;
const UNCACHEABLE_MAX_ENTRIES = 10_000;
const uncacheable = new Map<string, number>();

function rememberUncacheable(path: string, now: number): void {
  if (uncacheable.size >= UNCACHEABLE_MAX_ENTRIES && !uncacheable.has(path)) {
    const oldest = uncacheable.keys().next();
    if (!oldest.done) uncacheable.delete(oldest.value);
  }
  uncacheable.set(path, now + UNCACHEABLE_MS);
}

/** 304 for a client that holds the current representation, with the headers a 304 keeps. */
function notModified(res: Response): Response {
  const headers = new Headers();
  for (const name of ['etag', 'cache-control', 'vary', 'expires', 'last-modified']) {
    const value = res.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

/**
 * Caches GET answers that a service marks public with the Cache API, per data center. A response that varies by
 * request headers is stored per variant, with a small index entry under the plain URL recording which headers
 * choose the variant. `If-None-Match` against the cached ETag answers 304; `Cache-Control: no-cache` from the
 * client skips the lookup. Every cacheable route answers `X-Cache: HIT` or `MISS`.
 */
export function responseCache(): MiddlewareHandler<AppEnv> {
  return async function responseCache(c, next) {
    const method = c.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || ownerOf(c.req.path) === null) return next();
    const url = new URL(c.req.url);
    const cache = caches.default;
    // A client that asks for a fresh answer gets one, and the cache is left as it is: a write per such request would
    // cost more than the lookups it saves.
    const bypass = /\b(no-cache|no-store)\b/i.test(c.req.header('cache-control') ?? '');
    const now = Date.now();
    // Most GETs (anything personal) are never cacheable: an isolate that has just seen a path answer so skips the
    // cache lookup for it for a while instead of paying for a miss on every request.
    const knownPrivate = (uncacheable.get(url.pathname) ?? 0) > now;
    if (!bypass && !knownPrivate) {
      const index = await cache.match(new Request(url.href));
      const vary = index?.headers.get(VARY_INDEX);
      const hit =
        vary === undefined || vary === null
          ? index
          : await cache.match(variantKey(url, varyList(vary), c.req.raw.headers));
      if (hit && !hit.headers.has(VARY_INDEX)) {
        collector.recordCache(true);
        const route = hit.headers.get(ROUTE_HEADER);
        if (route) c.set('routeTemplate', route);
        if (etagMatches(c.req.header('if-none-match'), hit.headers.get('etag'))) {
          const res = notModified(hit);
          res.headers.set('x-cache', 'HIT');
          return res;
        }
        const res = new Response(method === 'HEAD' ? null : hit.body, hit);
        res.headers.delete(ROUTE_HEADER);
        res.headers.set('x-cache', 'HIT');
        return res;
      }
    }
    await next();
    const res = c.res;
    if (!storable(res)) {
      if (res.status < 500) rememberUncacheable(url.pathname, now);
      return;
    }
    uncacheable.delete(url.pathname);
    collector.recordCache(false);
    if (!bypass && method === 'GET') {
      const vary = varyList(res.headers.get('vary'));
      const stored = new Response(res.clone().body, res);
      // The route template rides along so that a hit is counted under its route in /metrics.
      const route = c.get('routeTemplate');
      if (route) stored.headers.set(ROUTE_HEADER, route);
      const put = async () => {
        if (vary.length > 0) {
          const index = new Response(null, {
            headers: { [VARY_INDEX]: vary.join(','), 'cache-control': stored.headers.get('cache-control') ?? '' },
          });
          await cache.put(new Request(url.href), index);
        }
        await cache.put(variantKey(url, vary, c.req.raw.headers), stored);
      };
      c.executionCtx.waitUntil(put().catch((err) => c.get('log').warn('cache store failed', { err: String(err) })));
    }
    if (etagMatches(c.req.header('if-none-match'), res.headers.get('etag'))) c.res = notModified(res);
    c.res.headers.set('x-cache', 'MISS');
  };
}
