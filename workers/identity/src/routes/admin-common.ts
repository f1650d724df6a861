import { pageOf, problemCatalog } from '@onasis/http';

export { decodeCursor, encodeCursor, needs, refusing } from '@onasis/http';

/** OpenAPI responses for the problem statuses an identity admin route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`)',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`)',
  404: 'No such resource (`NOT_FOUND`)',
  409: 'The change conflicts with the current state (`CONFLICT`, `ROLE_BUILT_IN`)',
  415: 'The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)',
});

/**
 * `{ data, nextCursor }` from a page fetched with one row more than `limit`: the extra row only tells that another
 * page exists, and the cursor points after the last row shown.
 */
export function page<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => unknown,
): { data: T[]; nextCursor: string | null } {
  return pageOf(rows, limit, (row) => row, positionOf);
}
