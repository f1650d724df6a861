import type { z } from '@hono/zod-openapi';
import { type Permission, ProblemSchema } from '@onasis/contracts';
import { AppError, PROBLEM_CONTENT_TYPE, requirePermission } from '@onasis/http';
import type { Context, MiddlewareHandler } from 'hono';
import { base64url } from 'jose';

/**
 * Route middleware requiring `permission`. It runs before the route's validators, so a caller without the
 * permission learns nothing about what a valid request would look like.
 */
export function needs(permission: Permission): MiddlewareHandler {
  return async function needsPermission(c, next) {
    await refusing(c, () => requirePermission(c, permission));
    await next();
  };
}

/**
 * Runs a check that may throw before anything read the request body. A refused request's body is cancelled:
 * unread, the stream the gateway forwarded over RPC stays open and workerd reports the request as hung.
 */
export async function refusing(c: Context, check: () => unknown): Promise<void> {
  try {
    check();
  } catch (err) {
    await c.req.raw.body?.cancel().catch(() => {});
    throw err;
  }
}

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

const PROBLEMS = {
  400: problem('The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`)'),
  401: problem('No valid access token (`UNAUTHENTICATED`)'),
  403: problem('The caller lacks the permission (`FORBIDDEN`)'),
  404: problem('No such resource (`NOT_FOUND`)'),
  409: problem('The change conflicts with the current state (`CONFLICT`, `ROLE_BUILT_IN`)'),
  415: problem('The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)'),
};

/** OpenAPI responses for the problem statuses a route can answer. */
export function problems<S extends keyof typeof PROBLEMS>(...statuses: S[]): Pick<typeof PROBLEMS, S> {
  return Object.fromEntries(statuses.map((s) => [s, PROBLEMS[s]])) as Pick<typeof PROBLEMS, S>;
}

/** An opaque list cursor holding `position`. */
export function encodeCursor(position: unknown): string {
  return base64url.encode(JSON.stringify(position));
}

/** The position inside a cursor made by `encodeCursor`, or a 400 naming the `cursor` parameter. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(base64url.decode(cursor)));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'query.cursor', message: 'Not a cursor this list issued.' }],
    });
  }
  return parsed.data;
}

/**
 * `{ data, nextCursor }` from a page fetched with one row more than `limit`: the extra row only tells that another
 * page exists, and the cursor points after the last row shown.
 */
export function page<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => unknown,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null };
}
