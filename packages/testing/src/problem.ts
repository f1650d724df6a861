import type { Problem } from '@onasis/contracts';

/**
 * Asserts the RFC 9457 envelope every error response shares (media type, `status` equal to the HTTP status,
 * `requestId` equal to `X-Request-Id`) and returns the body.
 */
export async function problemOf(res: Response): Promise<Problem> {
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected problem+json, got ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  const body = await res.json<Problem>();
  if (body.requestId !== res.headers.get('x-request-id')) throw new Error('requestId differs from X-Request-Id');
  if (body.status !== res.status) throw new Error(`status ${body.status} differs from HTTP ${res.status}`);
  return body;
}
