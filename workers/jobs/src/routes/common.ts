import { z } from '@hono/zod-openapi';
import { decodeCursor, pageOf, problemCatalog } from '@onasis/http';

export { needs } from '@onasis/http';

/** OpenAPI responses for the problem statuses a jobs route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`)',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`)',
  404: 'No such job (`NOT_FOUND`)',
  409: 'The job is in a state the action does not accept (`CONFLICT`)',
});

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

/** The position in a cursor of a job list, or a 400 naming `cursor`. */
export function positionOf(cursor: string): z.infer<typeof CursorSchema> {
  return decodeCursor(cursor, CursorSchema);
}

/** `{ data, nextCursor }` from rows fetched newest first with one extra (which only tells that another page exists). */
export function page<R extends { created_at: string; id: string }, T>(rows: R[], limit: number, view: (r: R) => T) {
  return pageOf(rows, limit, view, (r) => ({ createdAt: r.created_at, id: r.id }));
}
