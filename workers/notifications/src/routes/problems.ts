import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses a notifications route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `INVALID_TOKEN`, `BAD_REQUEST`)',
  401: 'No valid access token, or a webhook without a valid signature (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`), or has not verified their email address (`EMAIL_NOT_VERIFIED`)',
  404: 'No such resource (`NOT_FOUND`)',
  409: 'The change conflicts with the current state (`CONFLICT`)',
  429: 'Too soon to ask again (`RATE_LIMITED`, with `Retry-After`)',
});
