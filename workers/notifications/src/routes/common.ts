import type { z } from '@hono/zod-openapi';
import { type Permission, ProblemSchema } from '@onasis/contracts';
import { AppError, PROBLEM_CONTENT_TYPE, requirePermission } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';

/**
 * Route middleware requiring `permission`, before any validator reads the body: a refused request's body is
 * cancelled, since an unread stream forwarded over RPC would keep the gateway's request open.
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
  400: problem('The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `INVALID_TOKEN`)'),
  401: problem('No valid access token (`UNAUTHENTICATED`)'),
  403: problem('The caller lacks the permission (`FORBIDDEN`)'),
  404: problem('No such resource (`NOT_FOUND`)'),
  409: problem('The change conflicts with the current state (`CONFLICT`)'),
};

/** OpenAPI responses for the problem statuses a route can answer. */
export function problems<S extends keyof typeof PROBLEMS>(...statuses: S[]): Pick<typeof PROBLEMS, S> {
  return Object.fromEntries(statuses.map((s) => [s, PROBLEMS[s]])) as Pick<typeof PROBLEMS, S>;
}

/** A JSON response of `schema`, for `createRoute`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body of `schema`, for `createRoute`. */
export const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** An opaque cursor: `<createdAt>|<id>` of the last row shown, base64url. */
export function encodeCursor(createdAt: string, id: string): string {
  return btoa(`${createdAt}|${id}`).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The position in a cursor from `encodeCursor`, or a 400 naming the `cursor` parameter. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id, extra] = atob(cursor.replaceAll('-', '+').replaceAll('_', '/')).split('|');
    if (createdAt && id && extra === undefined) return { createdAt, id };
  } catch {}
  throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
    errors: [{ path: 'query.cursor', message: 'Not a cursor this list issued.' }],
  });
}

/** `{ data, nextCursor }` from rows fetched newest first with one extra row that only says whether more exist. */
export function page<R extends { created_at: string; id: string }, V>(rows: R[], limit: number, view: (r: R) => V) {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    data: shown.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

/** SQL and arguments selecting rows strictly after a cursor in `created_at DESC, id DESC` order. */
export function afterCursor(cursor: string | undefined): { sql: string; args: string[] } {
  if (cursor === undefined) return { sql: '', args: [] };
  const c = decodeCursor(cursor);
  return { sql: ' AND (created_at < ? OR (created_at = ? AND id < ?))', args: [c.createdAt, c.createdAt, c.id] };
}
