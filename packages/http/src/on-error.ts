import { ERROR_CODES, type ErrorCode } from '@onasis/contracts';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError } from './app-error.js';
import { createLogger } from './logger.js';
import { problemResponse } from './problem.js';
import { requestIdFrom } from './trace.js';

const CODE_BY_STATUS = new Map<number, ErrorCode>();
for (const [code, { status }] of Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][]) {
  if (!CODE_BY_STATUS.has(status)) CODE_BY_STATUS.set(status, code);
}

function requestIdOf(c: Context): string {
  return c.get('requestId') ?? requestIdFrom(c.req.header('x-request-id'));
}

/** The problem+json answer for anything a handler throws; unexpected errors are logged and answered without their message. */
export const onError: ErrorHandler = (err, c) => {
  const requestId = requestIdOf(c);
  if (err instanceof AppError) {
    return problemResponse(err.code, requestId, {
      ...(err.detail !== undefined && { detail: err.detail }),
      ...(err.errors !== undefined && { errors: err.errors }),
      ...(err.headers !== undefined && { headers: err.headers }),
    });
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own validators and middleware throw these for client mistakes.
    const code =
      err.status === 400 && /malformed json/i.test(err.message)
        ? 'MALFORMED_JSON'
        : (CODE_BY_STATUS.get(err.status) ?? 'BAD_REQUEST');
    const detail = code === 'MALFORMED_JSON' ? 'The request body is not valid JSON.' : undefined;
    return problemResponse(code, requestId, detail === undefined ? {} : { detail });
  }
  const log = c.get('log');
  const fields = {
    err: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: (err as Error)?.stack,
  };
  (log ?? createLogger({ requestId })).error('unhandled error', fields);
  return problemResponse('INTERNAL', requestId, {
    detail: 'An unexpected error occurred. Quote the request id when reporting it.',
  });
};

/** 404 problem for a path no route matches. */
export const notFound: NotFoundHandler = (c) =>
  problemResponse('ROUTE_NOT_FOUND', requestIdOf(c), { detail: `No route for ${c.req.method} ${c.req.path}.` });
