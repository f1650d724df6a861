import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses a jobs route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`)',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`)',
  404: 'No such job or schedule (`NOT_FOUND`)',
  409: 'The job is in a state the action does not accept (`CONFLICT`)',
});
