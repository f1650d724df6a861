import { env } from 'cloudflare:workers';
import type { ForwardedRequest, ForwardedResponse, RequestMeta } from '@onasis/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchWith, problemOf } from './helpers.js';
import { bearer, type SignedIn, signedInUser } from './identity-fixtures.js';

type Serve = (request: ForwardedRequest, meta: RequestMeta) => Promise<ForwardedResponse>;
type Handle = (request: Request, meta: RequestMeta) => Promise<Response>;

/** A binding that records which hop the gateway took, then passes the call on (by default to real identity). */
function recording(serve: Serve, handle: Handle) {
  const hops: string[] = [];
  const binding = {
    jwks: () => env.IDENTITY.jwks(),
    sessionStatus: (userId: string, sessionId: string) => env.IDENTITY.sessionStatus(userId, sessionId),
    verifyApiKey: (key: string) => env.IDENTITY.verifyApiKey(key),
    serve: (request: ForwardedRequest, meta: RequestMeta) => {
      hops.push('serve');
      return serve(request, meta);
    },
    handle: (request: Request, meta: RequestMeta) => {
      hops.push('handle');
      return handle(request, meta);
    },
  };
  return { hops, binding };
}

const identity = () =>
  recording(
    (request, meta) => env.IDENTITY.serve(request, meta) as unknown as Promise<ForwardedResponse>,
    (request, meta) => env.IDENTITY.handle(request, meta) as unknown as Promise<Response>,
  );

let member: SignedIn;

beforeAll(async () => {
  member = await signedInUser();
});

describe('the hop to a domain Worker', () => {
  it('forwards a request without a body as plain values', async () => {
    const { hops, binding } = identity();
    const res = await fetchWith({ IDENTITY: binding }, '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    expect(hops).toEqual(['serve']);
  });

  it('forwards a JSON body as plain values, whole', async () => {
    const { hops, binding } = identity();
    const res = await fetchWith({ IDENTITY: binding }, '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not an address', password: 'x'.repeat(12) }),
    });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toContain('email');
    expect(hops).toEqual(['serve']);
  });

  it('forwards a signed-in request as plain values, the caller in the meta', async () => {
    const { hops, binding } = identity();
    const res = await fetchWith({ IDENTITY: binding }, '/api/v1/users/me', bearer(member.accessToken));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(member.subject.sub);
    expect(hops).toEqual(['serve']);
  });

  it('streams an upload body to the service in a Request', async () => {
    const files = recording(
      () => Promise.reject(new Error('an upload must not be buffered')),
      async (request) => Response.json({ size: (await request.arrayBuffer()).byteLength, method: request.method }),
    );
    const res = await fetchWith({ FILES: files.binding }, '/api/v1/files/fil_1', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${member.accessToken}` },
      body: new Uint8Array(70_000),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ size: 70_000, method: 'PUT' });
    expect(files.hops).toEqual(['handle']);
  });

  it('passes on every Set-Cookie header and a streamed answer of a plain-values hop', async () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const { hops, binding } = recording(
      async () => ({
        status: 200,
        headers: [
          ['content-type', 'application/octet-stream'],
          ['set-cookie', 'a=1; Path=/; Secure; HttpOnly'],
          ['set-cookie', 'b=2; Path=/; Secure; HttpOnly'],
        ],
        body: new Response(bytes).body,
      }),
      () => Promise.reject(new Error('not this hop')),
    );
    const res = await fetchWith({ IDENTITY: binding }, '/api/v1/users/me', bearer(member.accessToken));
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; Secure; HttpOnly', 'b=2; Path=/; Secure; HttpOnly']);
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([...bytes]);
    expect(hops).toEqual(['serve']);
  });

  it('hands the plain-values hop every end-to-end header and no hop-by-hop one', async () => {
    let seen: ForwardedRequest | undefined;
    const { binding } = recording(
      async (request) => {
        seen = request;
        return { status: 200, headers: [['content-type', 'application/json']], body: '{}' };
      },
      () => Promise.reject(new Error('not this hop')),
    );
    const res = await fetchWith({ PAYMENTS: binding }, '/webhooks/stripe?a=1&b=%20', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        connection: 'keep-alive, X-Hop-Secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'x-hop-secret': 'named by Connection',
        'x-kept': 'end to end',
      },
      body: '{"type":"charge.succeeded"}',
    });
    expect(res.status).toBe(200);
    expect(seen).toMatchObject({
      method: 'POST',
      path: '/webhooks/stripe?a=1&b=%20',
      body: '{"type":"charge.succeeded"}',
    });
    const names = seen?.headers.map(([name]) => name) ?? [];
    for (const name of ['connection', 'keep-alive', 'te', 'x-hop-secret']) expect(names, name).not.toContain(name);
    expect(seen?.headers).toContainEqual(['x-kept', 'end to end']);
  });

  it('answers HEAD through the plain-values hop without a body', async () => {
    const { hops, binding } = identity();
    const res = await fetchWith({ IDENTITY: binding }, '/.well-known/jwks.json', {
      method: 'HEAD',
      headers: { 'cache-control': 'no-cache' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.text()).toBe('');
    expect(hops).toEqual(['serve']);
  });

  it('falls back to a Request for a service that has no plain-values hop', async () => {
    // The fault injector's Echo entrypoint implements only `handle`, as a Worker deployed before `serve` does.
    const echo = (env as unknown as { FAULT_ECHO: Service }).FAULT_ECHO;
    const body = JSON.stringify({ type: 'charge.succeeded' });
    const res = await fetchWith({ PAYMENTS: echo }, '/webhooks/stripe?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kept': 'yes' },
      body,
    });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { method: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: 'POST', body });
    expect(echoed.headers['x-kept']).toBe('yes');
  });
});
