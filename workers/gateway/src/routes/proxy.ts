import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  compileDeprecations,
  DEPRECATIONS,
  type Deprecation,
  type DeprecationHeaders,
  FORGET_HEADER,
  type ForwardedRequest,
  ownerOf,
  parseForget,
  ROUTE_HEADER,
} from '@onasis/contracts';
import { AppError, notFound } from '@onasis/http';
import { configOf, takesRawBody } from '../config.js';
import type { AppEnv } from '../context.js';
import { collector } from '../metrics/collector.js';
import { bindingOf, forward, type Hop, TimeoutError, withTimeout } from '../services/bindings.js';
import { breakerOf, type Permit } from '../services/circuit-breaker.js';
import { forgetCredentialsOf } from '../services/forget.js';

/**
 * The client's address as Cloudflare's edge set it. Only this header: X-Forwarded-For and the like are whatever the
 * client wrote. The request meta holds at most 64 characters, far more than any IP address.
 */
function clientIpOf(header: string | undefined): string | undefined {
  return header !== undefined && header.length <= 64 ? header : undefined;
}

/** `request.cf.country` when it is a two-letter code (Cloudflare also uses `T1` for Tor and `XX` for unknown). */
function countryOf(country: unknown): string | undefined {
  return typeof country === 'string' && /^[A-Z0-9]{2}$/.test(country) ? country : undefined;
}

/** Headers that describe one connection, not the request (RFC 9110 §7.6.1), and must not travel past a proxy. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
] as const;

// A header name is an RFC 9110 token; anything else in `Connection` is junk that Headers.delete would throw on.
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The request without hop-by-hop headers, nor the headers its `Connection` names. Almost no request carries any,
 * so the original is passed on as is and a copy is made only when there is something to strip.
 */
export function withoutHopByHop(request: Request): Request {
  const incoming = request.headers;
  let found = false;
  for (const name of HOP_BY_HOP) {
    if (incoming.has(name)) {
      found = true;
      break;
    }
  }
  if (!found) return request;
  const headers = new Headers(incoming);
  for (const listed of (incoming.get('connection') ?? '').split(',')) {
    const name = listed.trim().toLowerCase();
    if (TOKEN.test(name)) headers.delete(name);
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
  return new Request(request, { headers });
}

const HOP_BY_HOP_NAMES: ReadonlySet<string> = new Set(HOP_BY_HOP);

/** The request's end-to-end headers as a list, by the rules of `withoutHopByHop`. */
function endToEndHeaders(incoming: Headers): [string, string][] {
  const connection = incoming.get('connection');
  const listed = connection === null ? null : new Set(connection.split(',').map((n) => n.trim().toLowerCase()));
  const headers: [string, string][] = [];
  for (const [name, value] of incoming) {
    if (!HOP_BY_HOP_NAMES.has(name) && !listed?.has(name)) headers.push([name, value]);
  }
  return headers;
}

/**
 * How the request goes to the service: an upload body streams on in a Request; any other body was read whole by the
 * body guard (or the request has none), so it crosses as plain values, the cheaper hop.
 */
async function hopOf(request: Request, path: string): Promise<Hop> {
  if (request.body !== null && takesRawBody(path)) return { stream: withoutHopByHop(request) };
  const { method, url } = request;
  const values: ForwardedRequest = {
    method,
    path: url.slice(url.indexOf('/', url.indexOf('//') + 2)),
    headers: endToEndHeaders(request.headers),
    body: request.body === null || method === 'GET' || method === 'HEAD' ? null : await request.text(),
  };
  return { values, url };
}

/** The slowest upload the gateway waits for: 64 KiB/s, a poor mobile link. Slower clients resume with tus. */
const UPLOAD_FLOOR_BYTES_PER_SECOND = 64 * 1024;

/**
 * How long a streamed upload may take before the service answers: the service reads the whole body first, so the
 * deadline grows with the body (its declared length, else the upload limit) at the floor rate, on top of the usual
 * UPSTREAM_TIMEOUT_MS. A fixed 15 s would cut off any upload slower than 7 MiB/s at 100 MiB.
 */
function uploadTimeoutMs(config: ReturnType<typeof configOf>, request: Request): number {
  const declared = Number(request.headers.get('content-length'));
  const bytes = Number.isFinite(declared) && declared > 0 ? declared : config.maxUploadBytes;
  return config.upstreamTimeoutMs + Math.ceil((bytes / UPLOAD_FLOOR_BYTES_PER_SECOND) * 1000);
}

let deprecationOf = compileDeprecations(DEPRECATIONS);

/** Replaces the deprecation table (tests; the shipped table is `DEPRECATIONS` in @onasis/contracts). */
export function useDeprecations(table: ReadonlyArray<Deprecation>): void {
  deprecationOf = compileDeprecations(table);
}

/**
 * Safe methods only. PUT and DELETE are idempotent by definition but a handler can still append an audit entry or
 * send a notification, and POST/PATCH never are: repeating those is for the client, with an idempotency key.
 */
function retryable(request: Request): boolean {
  const m = request.method;
  return (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') && request.body === null;
}

function unavailable(service: string, retryAfter: number, deprecation: DeprecationHeaders | undefined): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `The ${service} service is unavailable; try again later.`, {
    headers: { ...deprecation, 'retry-after': String(retryAfter) },
  });
}

/**
 * Hands every request under a service's prefixes to that service over RPC, with the request context the gateway
 * established. The service's own router answers 404/405 for paths it does not have.
 *
 * Each call goes through the service's circuit breaker (see services/circuit-breaker.ts): an open one answers 503
 * at once. A call that throws is tried once more when the request is safe to repeat and the breaker still allows
 * it. A timeout is not retried: the client has already waited the whole UPSTREAM_TIMEOUT_MS, and a service too slow
 * to answer is the one that a second call would load further. A 5xx is the service's own answer and is passed on.
 */
export function proxyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.all('*', async (c) => {
    const service = ownerOf(c.req.path);
    // Returned, not thrown: an Error captures a stack trace, the dearest part of a 404.
    if (!service) return notFound(c);
    c.set('service', service);
    const deprecation = deprecationOf(c.req.method, c.req.path);
    const binding = bindingOf(c.env, service);
    const config = configOf(c.env);
    const request = c.req.raw;
    const hop = await hopOf(request, c.req.path);
    const timeoutMs = 'stream' in hop ? uploadTimeoutMs(config, request) : config.upstreamTimeoutMs;
    const meta = {
      requestId: c.get('requestId'),
      traceparent: c.get('traceparent'),
      principal: c.get('principal'),
      clientIp: clientIpOf(c.req.header('cf-connecting-ip')),
      country: countryOf(c.req.raw.cf?.country),
    };
    // Acquired only once nothing else can throw before the call: a granted probe must always report back.
    const breaker = breakerOf(service);
    let permit: Permit = breaker.tryAcquire();
    if (permit === 'denied') throw unavailable(service, breaker.retryAfterSeconds(), deprecation);

    let upstream: Response | undefined;
    for (let attempt = 0; upstream === undefined; attempt++) {
      try {
        upstream = await withTimeout(forward(binding, hop, meta), timeoutMs);
      } catch (err) {
        collector.recordUpstreamError(service);
        breaker.record(permit, true);
        const timedOut = err instanceof TimeoutError;
        c.get('log').error('upstream call failed', { upstream: service, attempt, err: String(err) });
        if (!timedOut && attempt === 0 && retryable(request)) {
          permit = breaker.tryAcquire();
          if (permit !== 'denied') {
            collector.recordUpstreamRetry(service);
            continue;
          }
        }
        const headers = deprecation === undefined ? undefined : { headers: { ...deprecation } };
        if (timedOut) throw new AppError('UPSTREAM_TIMEOUT', `The ${service} service did not answer in time.`, headers);
        throw new AppError('UPSTREAM_FAILED', `The ${service} service failed to answer.`, headers);
      }
    }
    // A 503 is the service's own considered answer (a provider not configured, a dependency it reports down), given at
    // once: it says nothing about whether calling the service is safe. Counting it would let anyone open the breaker
    // of a whole service by calling one of its routes that answers 503, such as a webhook without its secret.
    const failed = upstream.status >= 500 && upstream.status !== 503;
    breaker.record(permit, failed);
    if (failed) collector.recordUpstreamError(service);
    const route = upstream.headers.get(ROUTE_HEADER);
    if (route) c.set('routeTemplate', route);
    upstream.headers.delete(ROUTE_HEADER);
    // Dropped here, the innermost step, so that neither the idempotency store nor the response cache ever keeps it.
    const forget = upstream.headers.get(FORGET_HEADER);
    if (forget !== null) {
      upstream.headers.delete(FORGET_HEADER);
      forgetCredentialsOf(parseForget(forget));
    }
    if (deprecation !== undefined) {
      // The service may send Link headers of its own; the deprecation link goes next to them.
      for (const name in deprecation) {
        if (name === 'link') upstream.headers.append(name, deprecation[name] as string);
        else upstream.headers.set(name, deprecation[name] as string);
      }
    }
    return upstream;
  });
}
