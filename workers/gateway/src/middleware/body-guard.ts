import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { configOf, FORM_BODY_PATHS, takesRawBody } from '../config.js';
import type { AppEnv } from '../context.js';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const limiters = new Map<number, MiddlewareHandler>();

function limiter(maxSize: number): MiddlewareHandler {
  let mw = limiters.get(maxSize);
  if (!mw) {
    mw = bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `The request body exceeds ${maxSize} bytes.`);
      },
    });
    limiters.set(maxSize, mw);
  }
  return mw;
}

/**
 * Refuses bodies the platform will not read before they reach a service: over the size limit (413; upload routes
 * have their own, larger one) or, on JSON routes, of another media type (415; the unsubscribe link also takes the
 * form body mail clients send).
 */
export function bodyGuard(): MiddlewareHandler<AppEnv> {
  return async function bodyGuard(c, next) {
    const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
    if (!hasBody) return next();
    const config = configOf(c.env);
    const raw = takesRawBody(c.req.path);
    const type = c.req.header('content-type') ?? '';
    if (!raw && !JSON_TYPE.test(type) && !(FORM_BODY_PATHS.has(c.req.path) && FORM_TYPE.test(type))) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    }
    return limiter(raw ? config.maxUploadBytes : config.maxBodyBytes)(c, next);
  };
}
