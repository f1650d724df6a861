import { OpenAPIHono } from '@hono/zod-openapi';
import { type ForwardedRequest, type ForwardedResponse, type RequestMeta, ROUTE_HEADER } from '@onasis/contracts';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { createLogger } from './logger.js';
import { answerMethodNotAllowed } from './method-not-allowed.js';
import { notFound, onError } from './on-error.js';
import { endpointTemplate } from './route-template.js';
import { nextTraceparent, requestIdFrom, traceIdOf } from './trace.js';
import { validationHook } from './validation.js';

// The gateway hands its verified request context over as an RPC argument; keying it by the Request object
// keeps it out of headers, which a client could forge.
const forwardedMeta = new WeakMap<Request, RequestMeta>();

/** A Hono app for one resource of a domain Worker, mounted by `createServiceApp`; its paths are relative. */
export function resourceApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

/**
 * How deep and how fixed a mount prefix is: deeper prefixes, then those with more fixed segments, are mounted first,
 * so `/api/v1/jobs/dead-letters` wins over the `/{id}` of the resource at `/api/v1/jobs` whatever order a Worker
 * lists them in.
 */
function specificity(prefix: string): [number, number] {
  const segments = prefix.split('/').filter((s) => s !== '');
  return [segments.length, segments.filter((s) => !s.startsWith(':') && !s.startsWith('{')).length];
}

/**
 * Builds a domain Worker's Hono app from its resources (`{ '/api/v1/jobs': jobs, … }`, one `resourceApp` each),
 * with the request context, problem+json errors and the 405s derived from the mounted routes. `service` names the
 * Worker in log lines.
 */
export function createServiceApp<E extends Env>(
  service: string,
  resources: Record<string, OpenAPIHono<E>>,
): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({ defaultHook: validationHook });
  app.use(serviceContext(service));
  const prefixes = Object.keys(resources).sort((a, b) => {
    const [da, fa] = specificity(a);
    const [db, fb] = specificity(b);
    return db - da || fb - fa;
  });
  for (const prefix of prefixes) app.route(prefix, resources[prefix] as OpenAPIHono<E>);
  answerMethodNotAllowed(app as unknown as Hono);
  app.notFound(notFound);
  app.onError(onError);
  return app;
}

function serviceContext(service: string): MiddlewareHandler {
  return async function serviceContext(c, next) {
    const meta = forwardedMeta.get(c.req.raw);
    const requestId = meta?.requestId ?? requestIdFrom(c.req.header('x-request-id'));
    const traceparent = meta?.traceparent ?? nextTraceparent(c.req.header('traceparent'));
    c.set('requestId', requestId);
    c.set('traceparent', traceparent);
    c.set('principal', meta?.principal);
    c.set('clientIp', meta?.clientIp ?? c.req.header('cf-connecting-ip'));
    c.set('country', meta?.country);
    c.set('log', createLogger({ service, requestId, traceId: traceIdOf(traceparent) }));
    await next();
    const template = endpointTemplate(c);
    if (template) c.res.headers.set(ROUTE_HEADER, template);
  };
}

/** Serves a request the gateway forwarded over RPC, with the context it verified. */
export async function serveForwarded<E extends Env>(
  app: OpenAPIHono<E>,
  request: Request,
  meta: RequestMeta,
  env: E['Bindings'],
  ctx: ExecutionContext,
): Promise<Response> {
  forwardedMeta.set(request, meta);
  const response = await app.fetch(request, env, ctx);
  // A body streamed over RPC that nobody read (a request refused before its body mattered) would keep the caller's
  // stream open until workerd gives up on it as hung; cancelling ends it now.
  if (request.body && !request.bodyUsed) request.body.cancel().catch(() => {});
  return response;
}

// A forwarded request names only its path: nothing in a service reads the origin, which is the gateway's anyway.
const FORWARDED_ORIGIN = 'http://internal';

// Bodies sent back as one string: they are small and read whole anyway. Only UTF-8 survives `text()` unchanged, so a
// declared other charset, like any binary type, goes back as a stream.
const TEXTUAL =
  /^(?:text\/[\w.+-]+|application\/(?:[\w.+-]+\+)?(?:json|xml)|application\/(?:x-)?javascript)\s*(?:;|$)/i;
const OTHER_CHARSET = /;\s*charset\s*=\s*"?(?!utf-8"?\s*(?:;|$))/i;

/** The Request a forwarded one stands for, or null when its values make none (a bad header name, a GET with a body). */
export function requestOf(forwarded: ForwardedRequest): Request | null {
  try {
    return new Request(`${FORWARDED_ORIGIN}${forwarded.path}`, {
      method: forwarded.method,
      headers: forwarded.headers,
      body: forwarded.body,
    });
  } catch {
    return null;
  }
}

/** Serves a request the gateway forwarded as plain values (see `requestOf`), and answers plain values. */
export async function serveForwardedValues<E extends Env>(
  app: OpenAPIHono<E>,
  request: Request,
  meta: RequestMeta,
  env: E['Bindings'],
  ctx: ExecutionContext,
): Promise<ForwardedResponse> {
  forwardedMeta.set(request, meta);
  return forwardedResponseOf(await app.fetch(request, env, ctx));
}

async function forwardedResponseOf(response: Response): Promise<ForwardedResponse> {
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers.push([name, value]);
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  const type = response.headers.get('content-type') ?? '';
  let body: ForwardedResponse['body'] = response.body;
  // A file (Content-Disposition) or a part of one (Content-Range) goes back byte for byte whatever its type says: a
  // text file need not be valid UTF-8, and a range can cut a character in two.
  const file = response.headers.has('content-disposition') || response.headers.has('content-range');
  if (body !== null && !file && TEXTUAL.test(type) && !OTHER_CHARSET.test(type)) body = await response.text();
  return { status: response.status, headers, body };
}
