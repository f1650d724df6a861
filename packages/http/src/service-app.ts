import { OpenAPIHono } from '@hono/zod-openapi';
import { type RequestMeta, ROUTE_HEADER } from '@onasis/contracts';
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

/**
 * Builds a domain Worker's Hono app: request context, problem+json errors and 405s. `service` names the Worker in
 * log lines; `routes` registers the Worker's routes before the 405 fallbacks are derived from them.
 */
export function createServiceApp<E extends Env>(
  service: string,
  routes: (app: OpenAPIHono<E>) => void,
): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({ defaultHook: validationHook });
  app.use(serviceContext(service));
  routes(app);
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
