import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    await next();
  };
}
