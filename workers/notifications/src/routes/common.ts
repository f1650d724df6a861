import { z } from '@hono/zod-openapi';
import { decodeCursor, pageOf, problemCatalog } from '@onasis/http';

export { jsonBody as body, jsonResponse as json, needs } from '@onasis/http';

/** OpenAPI responses for the problem statuses a notifications route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `INVALID_TOKEN`)',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`)',
  404: 'No such resource (`NOT_FOUND`)',
  409: 'The change conflicts with the current state (`CONFLICT`)',
  429: 'Too soon to ask again (`RATE_LIMITED`, with `Retry-After`)',
});

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

/** `{ data, nextCursor }` from rows fetched newest first with one extra row that only says whether more exist. */
export function page<R extends { created_at: string; id: string }, V>(rows: R[], limit: number, view: (r: R) => V) {
  return pageOf(rows, limit, view, (r) => ({ createdAt: r.created_at, id: r.id }));
}

/** SQL and arguments selecting rows strictly after a cursor in `created_at DESC, id DESC` order. */
export function afterCursor(cursor: string | undefined): { sql: string; args: string[] } {
  if (cursor === undefined) return { sql: '', args: [] };
  const c = decodeCursor(cursor, CursorSchema);
  return { sql: ' AND (created_at < ? OR (created_at = ? AND id < ?))', args: [c.createdAt, c.createdAt, c.id] };
}
