import { createLogger, nextTraceparent, requestIdFrom, traceIdOf } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';

/** Establishes the request id and trace context that every log line, binding call and response carries. */
export function requestContext(): MiddlewareHandler {
  return async function requestContext(c, next) {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    const traceparent = nextTraceparent(c.req.header('traceparent'));
    c.set('requestId', requestId);
    c.set('traceparent', traceparent);
    c.set('log', createLogger({ service: 'gateway', requestId, traceId: traceIdOf(traceparent) }));
    await next();
    c.res.headers.set('x-request-id', requestId);
    c.res.headers.set('traceparent', traceparent);
  };
}
