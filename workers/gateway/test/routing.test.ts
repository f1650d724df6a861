import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchWith, problemOf } from './helpers.js';
import { signedInUser } from './identity-fixtures.js';

const get = (path: string, init?: RequestInit) => exports.default.fetch(`http://gateway${path}`, init);

// Routes under /api/v1 need a signed-in caller before the gateway forwards anything.
let signedIn: { authorization: string };
beforeAll(async () => {
  signedIn = { authorization: `Bearer ${(await signedInUser()).accessToken}` };
});

describe('routing to domain services', () => {
  it('hands identity paths to the identity Worker and returns its answer', async () => {
    const res = await get('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ jwks_uri: expect.stringMatching(/\/\.well-known\/jwks\.json$/) });
    expect(res.headers.get('x-onasis-route')).toBeNull();
  });

  it('lets the owning service answer 404 for a path it does not have', async () => {
    const res = await get('/api/v1/payments/does-not-exist', { headers: signedIn });
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers 404 for a path no service owns', async () => {
    const res = await get('/wp-admin/setup.php');
    expect(res.status).toBe(404);
    const body = await problemOf(res);
    expect(body).toMatchObject({ code: 'ROUTE_NOT_FOUND', title: 'No such route' });
    expect(body.type).toMatch(/#route-not-found$/);
  });

  it('answers 405 with Allow for a gateway path and a method it lacks', async () => {
    const res = await get('/health', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await problemOf(res)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 405 for a service path and a method it lacks', async () => {
    const res = await get('/.well-known/jwks.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(405);
    expect((await problemOf(res)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 502 without internals when a service throws', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ IDENTITY: env.FAULT_THROWS }, '/auth/login', { method: 'POST' });
    spy.mockRestore();
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toContain('stack detail');
    expect(JSON.parse(text).code).toBe('UPSTREAM_FAILED');
  });

  it('answers 504 when a service does not answer within the upstream timeout', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ PAYMENTS: env.FAULT_HANGS }, '/api/v1/payments', { headers: signedIn });
    spy.mockRestore();
    expect(res.status).toBe(504);
    expect((await problemOf(res)).code).toBe('UPSTREAM_TIMEOUT');
  });
});

describe('request limits', () => {
  it('answers 413 to a JSON body over the limit, declared by Content-Length', async () => {
    const res = await get('/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 to a streamed body that grows over the limit', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await fetchWith({ MAX_BODY_BYTES: '1048576' }, '/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      // @ts-expect-error duplex is required for streaming request bodies but missing from the type.
      duplex: 'half',
    });
    expect(res.status).toBe(413);
  });

  it('honours a configured MAX_BODY_BYTES', async () => {
    const res = await fetchWith({ MAX_BODY_BYTES: '16' }, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com' }),
    });
    expect(res.status).toBe(413);
  });

  it('answers 415 to a non-JSON body on a JSON route', async () => {
    const res = await get('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'email=a',
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('lets the unsubscribe link take the form body of a one-click POST, without a session', async () => {
    const res = await get('/api/v1/notifications/unsubscribe?token=not-a-real-token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    // Through to the notifications Worker, which refuses the token: not a 415 nor a 401 from the gateway.
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('INVALID_TOKEN');
    const elsewhere = await get('/api/v1/notifications/preferences', {
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedIn },
      body: 'marketing=on',
    });
    expect(elsewhere.status).toBe(415);
  });

  it('accepts application/*+json as JSON', async () => {
    const res = await get('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{}',
    });
    expect(res.status).not.toBe(415);
  });

  it('lets upload routes take any media type', async () => {
    const res = await get('/api/v1/uploads/upl_1', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...signedIn },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(res.status).not.toBe(415);
    expect(res.status).toBe(405);
  });

  it('passes an OPTIONS that is no CORS preflight on to the service: tus discovery', async () => {
    const res = await get('/api/v1/uploads', { method: 'OPTIONS', headers: signedIn });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toContain('creation-with-upload');
  });
});
