import { ERROR_CODES, type ErrorCode, type Problem, problemType } from '@onasis/contracts';
import type { FieldError } from './app-error.js';

/** Media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem+json response of `code`. */
export function problemResponse(
  code: ErrorCode,
  requestId: string,
  options: { detail?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
): Response {
  const { status, title } = ERROR_CODES[code];
  const body: Problem = { type: problemType(code), title, status, code, requestId };
  if (options.detail !== undefined) body.detail = options.detail;
  if (options.errors !== undefined) body.errors = options.errors;
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...options.headers, 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId },
  });
}
