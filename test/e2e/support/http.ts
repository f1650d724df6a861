// A client of the public API, and the checks every error response must pass.
import { expect, inject } from 'vitest';

/** The RFC 9457 body of every error, as clients read it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

/** Calls the running gateway; `path` may carry a query. Redirects are returned, not followed. */
export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(path, inject('baseUrl')), {
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
    ...init,
  });
}

/** The parsed JSON body of a response that must be `application/json`. */
export async function jsonOf(res: Response): Promise<unknown> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
  return res.json();
}

/**
 * Asserts that `res` is the problem+json answer of `code` with `status`, whose `requestId` is the response's
 * `X-Request-Id`, and returns its body.
 */
export async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const body: unknown = JSON.parse(text);
  expect(body).toEqual({
    type: expect.stringMatching(/^https?:\/\/\S+$/),
    title: expect.any(String),
    status,
    code,
    requestId: res.headers.get('x-request-id'),
    ...(typeof body === 'object' && body !== null && 'detail' in body && { detail: expect.any(String) }),
    ...(typeof body === 'object' && body !== null && 'errors' in body && { errors: expect.any(Array) }),
  });
  return body as Problem;
}

/** The comma-separated tokens of a header, trimmed and in upper case (`Allow`, `Access-Control-Allow-Methods`). */
export function tokensOf(res: Response, header: string): string[] {
  return (res.headers.get(header) ?? '')
    .split(',')
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
}

/** A random suffix, so that a request's path or id is known to be this test's own. */
export function unique(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}
