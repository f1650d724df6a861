import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/**
 * The path template of the endpoint that matched (`/files/:id`), or undefined when only middleware and wildcard
 * fallbacks did. Metrics label by it, so its set of values stays as small as the set of routes.
 */
export function endpointTemplate(c: Context): string | undefined {
  return matchedRoutes(c).find((r) => !r.path.endsWith('*'))?.path;
}
