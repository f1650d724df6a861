import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses an identity route can answer: `...problems(400, 401)`. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `BAD_REQUEST`), or a one-time token is unknown, used or expired (`INVALID_TOKEN`)',
  401: 'Not signed in (`UNAUTHENTICATED`), or a wrong password, token or code (`INVALID_CREDENTIALS`, `INVALID_MFA_CODE`, …)',
  403: 'The caller lacks the permission (`FORBIDDEN`), the account is disabled (`ACCOUNT_DISABLED`) or its address not proven (`EMAIL_NOT_VERIFIED`)',
  404: 'No such resource (`NOT_FOUND`)',
  409: 'The change conflicts with the current state (`CONFLICT`, `EMAIL_TAKEN`, `MFA_ALREADY_ENABLED`, `ROLE_BUILT_IN`, …)',
  415: 'The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)',
  429: 'Too many failed attempts (`ACCOUNT_LOCKED`) or emails asked for (`RATE_LIMITED`); see Retry-After',
  502: 'The login provider could not be reached (`UPSTREAM_FAILED`)',
});
