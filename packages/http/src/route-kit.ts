import { z } from '@hono/zod-openapi';
import { type Permission, ProblemSchema, type RouteAccess } from '@onasis/contracts';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from './app-error.js';
import { requirePermission, requirePrincipal } from './principal.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

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

/** OpenAPI extension naming what a route requires; the gateway's ROUTE_POLICIES are tested against it. */
export const ACCESS_EXTENSION = 'x-onasis-access';
/** OpenAPI extension marking an `authenticated` route that API keys may call too. */
export const API_KEYS_EXTENSION = 'x-onasis-api-keys';

/**
 * The one way a route declares who may call it, spread into `createRoute`: `...access('users:read')`. It adds the
 * check as the route's first middleware (before validators, so a refused caller learns nothing about the input), the
 * OpenAPI `security` requirement, and the `x-onasis-access` extension from which the gateway's policy table is
 * proven. `middleware` are the route's own, run after the check.
 */
export function access(required: RouteAccess, options: { apiKeys?: boolean; middleware?: MiddlewareHandler[] } = {}) {
  const guard: MiddlewareHandler =
    required === 'public'
      ? async function publicRoute(_c, next) {
          await next();
        }
      : required === 'authenticated'
        ? async function signedIn(c, next) {
            await refusing(c, () => requirePrincipal(c));
            await next();
          }
        : needs(required);
  return {
    middleware: [guard, ...(options.middleware ?? [])],
    security: required === 'public' ? [] : [{ bearerAuth: [] }],
    [ACCESS_EXTENSION]: required,
    ...(options.apiKeys ? { [API_KEYS_EXTENSION]: true } : {}),
  };
}

type ProblemResponse = { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema } } };

/**
 * A Worker's OpenAPI problem responses, described once per status; the result picks the statuses a route can
 * answer: `problems(400, 404)`.
 */
export function problemCatalog<const D extends Record<number, string>>(descriptions: D) {
  const all = Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [
      status,
      { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
    ]),
  ) as unknown as Record<keyof D, ProblemResponse>;
  return <S extends keyof D>(...statuses: S[]): Record<S, ProblemResponse> =>
    Object.fromEntries(statuses.map((s) => [s, all[s]])) as Record<S, ProblemResponse>;
}

/** A JSON response of `schema`, for `createRoute`. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body of `schema`, for `createRoute`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** An opaque list cursor holding `position` (any JSON value). */
export function encodeCursor(position: unknown): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(position)));
}

/** The position inside a cursor made by `encodeCursor`, or a 400 naming the `cursor` parameter. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
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
 * `{ data, nextCursor }` from rows fetched in list order with one extra row, which only tells that another page
 * exists; the cursor holds `positionOf` the last row shown.
 */
export function pageOf<R, T>(rows: R[], limit: number, view: (r: R) => T, positionOf: (r: R) => unknown) {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    data: shown.map(view),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}

const CreatedAtPosition = z.object({ createdAt: z.string(), id: z.string() });

/** The position in a cursor of a list ordered `created_at DESC, id DESC`, or a 400 naming `cursor`. */
export function createdAtPosition(cursor: string): z.infer<typeof CreatedAtPosition> {
  return decodeCursor(cursor, CreatedAtPosition);
}

/** A page of rows fetched `created_at DESC, id DESC` with one extra, its cursor after the last row shown. */
export function pageByCreatedAt<R extends { createdAt: string; id: string }, T>(
  rows: R[],
  limit: number,
  view: (r: R) => T,
) {
  return pageOf(rows, limit, view, (r) => ({ createdAt: r.createdAt, id: r.id }));
}
