import { createdAtPosition, problemCatalog } from '@onasis/http';

export { jsonBody as body, jsonResponse as json, needs, pageByCreatedAt as page } from '@onasis/http';

/** OpenAPI responses for the problem statuses a notifications route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `INVALID_TOKEN`)',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`), or has not verified their email address (`EMAIL_NOT_VERIFIED`)',
  404: 'No such resource (`NOT_FOUND`)',
  409: 'The change conflicts with the current state (`CONFLICT`)',
  429: 'Too soon to ask again (`RATE_LIMITED`, with `Retry-After`)',
});

/** SQL and arguments selecting rows strictly after a cursor in `created_at DESC, id DESC` order. */
export function afterCursor(cursor: string | undefined): { sql: string; args: string[] } {
  if (cursor === undefined) return { sql: '', args: [] };
  const c = createdAtPosition(cursor);
  return { sql: ' AND (created_at < ? OR (created_at = ? AND id < ?))', args: [c.createdAt, c.createdAt, c.id] };
}
