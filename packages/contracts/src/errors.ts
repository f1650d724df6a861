/**
 * Every error code the platform answers with. Clients branch on `code`; `status` and `title` are fixed per code
 * so that the same failure reads the same from every service.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  PASSWORD_REJECTED: { status: 400, title: 'Password not allowed' },
  NOT_AN_IMAGE: { status: 400, title: 'Not an image' },
  INVALID_TOKEN: { status: 400, title: 'Invalid or expired token' },
  OAUTH_FAILED: { status: 400, title: 'Social login failed' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_INGEST_KEY: { status: 401, title: 'Unknown or revoked ingest key' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid email or password' },
  INVALID_REFRESH_TOKEN: { status: 401, title: 'Invalid refresh token' },
  REFRESH_TOKEN_REUSED: { status: 401, title: 'Refresh token reused; the session was revoked' },
  INVALID_MFA_TOKEN: { status: 401, title: 'Invalid or expired MFA challenge' },
  INVALID_MFA_CODE: { status: 401, title: 'Invalid MFA code' },
  CURRENT_PASSWORD_INVALID: { status: 401, title: 'Current password is wrong' },
  PAYMENT_FAILED: { status: 402, title: 'Payment failed' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  INVALID_SIGNATURE: { status: 403, title: 'Invalid or expired signature' },
  ACCOUNT_DISABLED: { status: 403, title: 'Account disabled' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'Email address not verified' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  FILE_EXISTS: { status: 409, title: 'A file with this name already exists in the folder' },
  SITE_DOMAIN_TAKEN: { status: 409, title: 'Another site already tracks this domain' },
  EMAIL_TAKEN: { status: 409, title: 'Email address already registered' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this idempotency key is still in progress' },
  MFA_ALREADY_ENABLED: { status: 409, title: 'MFA is already enabled' },
  MFA_NOT_ENABLED: { status: 409, title: 'MFA is not enabled' },
  ROLE_BUILT_IN: { status: 409, title: 'Built-in roles cannot be changed this way' },
  GONE: { status: 410, title: 'Gone' },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  STORAGE_QUOTA_EXCEEDED: { status: 413, title: 'Storage quota exceeded' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  CONTENT_TYPE_MISMATCH: { status: 415, title: 'Content does not match its declared type' },
  FILE_TYPE_REFUSED: { status: 415, title: 'File type not allowed' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'Range not satisfiable' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused with a different request' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  ACCOUNT_LOCKED: { status: 429, title: 'Too many failed attempts; try again later' },
  QUOTA_EXCEEDED: { status: 429, title: 'Monthly request quota exceeded' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  UPSTREAM_FAILED: { status: 502, title: 'Upstream service failed' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream service timed out' },
} as const satisfies Record<string, { status: number; title: string }>;

/** A registered error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Where the `type` URI of each problem points: one documentation anchor per code. */
export const PROBLEM_TYPE_BASE = 'https://docs.onasis.dev/errors#';

/** The `type` URI of a code's problem document. */
export function problemType(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`;
}
