import { describe, expect, it } from 'vitest';
import { api, expectProblem, tokensOf } from './support/http.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON document of exactly `bytes` bytes. */
function jsonOfSize(bytes: number): string {
  const empty = JSON.stringify({ padding: '' });
  return JSON.stringify({ padding: 'a'.repeat(bytes - empty.length) });
}

/** A request body with no Content-Length: sent chunked, so only reading it reveals its size. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const chunk = 64 * 1024;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
}

// A path under identity's prefix that it has no route for, so that the gateway's checks are what decides.
const IDENTITY_UNROUTED = '/auth/e2e-no-such-route';

describe('unknown routes', () => {
  it('answers 404 ROUTE_NOT_FOUND for a path no service owns', async () => {
    const problem = await expectProblem(await api('/nope'), 404, 'ROUTE_NOT_FOUND');
    expect(problem.detail).toContain('/nope');
  });

  it("answers 404 ROUTE_NOT_FOUND for an unknown path under a service's prefix", async () => {
    const problem = await expectProblem(await api(IDENTITY_UNROUTED), 404, 'ROUTE_NOT_FOUND');
    expect(problem.detail).toContain(IDENTITY_UNROUTED);
  });

  it('answers 404 for a path that only starts like a service prefix', async () => {
    await expectProblem(await api('/api/v1/jobsx'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('wrong method', () => {
  it('answers 405 with Allow on a gateway endpoint', async () => {
    const res = await api('/health', { method: 'POST' });
    await expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(tokensOf(res, 'allow')).toContain('GET');
    expect(tokensOf(res, 'allow')).not.toContain('POST');
  });

  it("answers 405 with Allow on a domain Worker's endpoint", async () => {
    const res = await api('/.well-known/jwks.json', { method: 'DELETE' });
    await expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(tokensOf(res, 'allow')).toContain('GET');
    expect(tokensOf(res, 'allow')).not.toContain('DELETE');
  });
});

describe('request bodies', () => {
  it('refuses a text/plain body on a JSON route with 415', async () => {
    const res = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'email=admin@onasis.local',
    });
    await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body without a content type on a JSON route with 415', async () => {
    const res = await api('/auth/login', { method: 'POST', body: new TextEncoder().encode('{"email":"a@b.c"}') });
    await expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each(['application/json; charset=utf-8', 'application/merge-patch+json'])(
    'lets a body of type %s through to the service',
    async (contentType) => {
      const res = await api(IDENTITY_UNROUTED, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: '{}',
      });
      // Identity has no such route: reaching it is what shows that the gateway accepted the media type.
      await expectProblem(res, 404, 'ROUTE_NOT_FOUND');
    },
  );

  it('accepts a JSON body of exactly the 1 MiB limit', async () => {
    const body = jsonOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const res = await api(IDENTITY_UNROUTED, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await expectProblem(res, 404, 'ROUTE_NOT_FOUND');
  });

  it('refuses a JSON body one byte over the limit with 413', async () => {
    const res = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jsonOfSize(MAX_BODY_BYTES + 1),
    });
    await expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an over-limit JSON body sent without Content-Length with 413', async () => {
    const res = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamOf(jsonOfSize(MAX_BODY_BYTES + 64 * 1024)),
      duplex: 'half',
    });
    await expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('lets an upload route take a non-JSON body', async () => {
    const res = await api('/api/v1/uploads/x', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2, 3]),
    });
    // The body checks come before authentication, so the 401 (not 415) shows the gateway let the body through.
    await expectProblem(res, 401, 'UNAUTHENTICATED');
  });

  it('lets an upload route take a body larger than the JSON limit', async () => {
    const res = await api('/api/v1/uploads/x', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(2 * MAX_BODY_BYTES + 1),
    });
    await expectProblem(res, 401, 'UNAUTHENTICATED');
  });
});
