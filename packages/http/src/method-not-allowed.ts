import type { Hono } from 'hono';
import { problemResponse } from './problem.js';

/**
 * Answers 405 with `Allow` on every path that has routes, for the methods it lacks. Call it after all routes are
 * registered: Hono stops at the first handler that answers, so a path's own methods keep winning.
 */
// biome-ignore lint/suspicious/noExplicitAny: accepts any Hono app regardless of its Env and schema.
export function answerMethodNotAllowed(app: Hono<any, any, any>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods, 'OPTIONS'].sort().join(', ');
    app.all(path, (c) =>
      problemResponse('METHOD_NOT_ALLOWED', c.get('requestId'), {
        detail: `${c.req.method} is not allowed here. Allowed: ${allow}.`,
        headers: { allow },
      }),
    );
  }
}
