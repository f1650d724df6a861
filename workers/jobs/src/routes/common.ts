import { z } from '@hono/zod-openapi';
import { type Permission, ProblemSchema } from '@onasis/contracts';
import { AppError, PROBLEM_CONTENT_TYPE, requirePermission } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';

/**
 * Route middleware requiring `permission`, before any validator reads the body (a refused body is cancelled so the
 * stream forwarded over RPC does not hang).
 */
export function needs(permission: Permission): MiddlewareHandler {
  return async function needsPermission(c, next) {
    try {
      requirePermission(c, permission);
    } catch (err) {
      await c.req.raw.body?.cancel().catch(() => {});
      throw err;
    }
    await next();
  };
}

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

const PROBLEMS = {
  400: problem('The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`)'),
  401: problem('No valid access token (`UNAUTHENTICATED`)'),
  403: problem('The caller lacks the permission (`FORBIDDEN`)'),
  404: problem('No such job (`NOT_FOUND`)'),
  409: problem('The job is in a state the action does not accept (`CONFLICT`)'),
};

/** OpenAPI responses for the problem statuses a route can answer. */
export function problems<S extends keyof typeof PROBLEMS>(...statuses: S[]): Pick<typeof PROBLEMS, S> {
  return Object.fromEntries(statuses.map((s) => [s, PROBLEMS[s]])) as Pick<typeof PROBLEMS, S>;
}

/** An opaque cursor holding `position`. */
export function encodeCursor(position: unknown): string {
  return btoa(JSON.stringify(position)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

/** The position in a cursor made by `encodeCursor`, or a 400 naming `cursor`. */
export function decodeCursor(cursor: string): z.infer<typeof CursorSchema> {
  let value: unknown;
  try {
    value = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
  } catch {
    value = undefined;
  }
  const parsed = CursorSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'query.cursor', message: 'Not a cursor this list issued.' }],
    });
  }
  return parsed.data;
}

/** `{ data, nextCursor }` from rows fetched with one extra (which only tells that another page exists). */
export function page<R extends { created_at: string; id: string }, T>(rows: R[], limit: number, view: (r: R) => T) {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    data: shown.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
