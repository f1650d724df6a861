import { env, exports } from 'cloudflare:workers';
import { compileDeprecations, DEPRECATIONS, type Deprecation } from '@onasis/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useDeprecations, withoutHopByHop } from '../src/routes/proxy.js';
import { configureBreakers } from '../src/services/circuit-breaker.js';
import { fetchWith } from './helpers.js';

/** The fault injector's `Echo` entrypoint: answers with the method, headers and body it was handed. */
const echo = (env as unknown as { FAULT_ECHO: Service }).FAULT_ECHO;
type Echoed = { method: string; headers: Record<string, string>; body: string | null };

// A public payments path, so that nothing but the proxy stands between the request and the echo.
const PATH = '/webhooks/stripe';

async function echoed(init: RequestInit): Promise<Echoed> {
  const res = await fetchWith({ PAYMENTS: echo }, PATH, init);
  expect(res.status).toBe(200);
  return res.json<Echoed>();
}

describe('hop-by-hop headers', () => {
  it('never reach the domain Worker, while every other header does', async () => {
    const { headers } = await echoed({
      headers: {
        connection: 'keep-alive, X-Hop-Secret',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
        'proxy-authenticate': 'Basic',
        te: 'trailers',
        trailer: 'Expires',
        upgrade: 'websocket',
        'x-hop-secret': 'named by Connection',
        'x-kept': 'end to end',
        authorization: 'Bearer not-a-token',
      },
    });
    for (const name of [
      'connection',
      'keep-alive',
      'proxy-authorization',
      'proxy-authenticate',
      'te',
      'trailer',
      'upgrade',
      'x-hop-secret',
    ]) {
      expect(headers, name).not.toHaveProperty(name);
    }
    expect(headers['x-kept']).toBe('end to end');
    expect(headers.authorization).toBe('Bearer not-a-token');
  });

  it('strips Transfer-Encoding but keeps the body intact', async () => {
    const body = JSON.stringify({ type: 'charge.succeeded', n: 42 });
    const res = await echoed({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close' },
      body,
    });
    expect(res.method).toBe('POST');
    expect(res.body).toBe(body);
    expect(res.headers).not.toHaveProperty('transfer-encoding');
    expect(res.headers).not.toHaveProperty('connection');
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('ignores junk in Connection instead of failing the request', async () => {
    const { headers } = await echoed({ headers: { connection: 'close, not a header, , (x), x-gone', 'x-gone': '1' } });
    expect(headers).not.toHaveProperty('connection');
    expect(headers).not.toHaveProperty('x-gone');
  });

  it('cost no copy when there is nothing to strip', () => {
    const req = new Request('http://gateway/webhooks/stripe', { headers: { 'x-kept': '1', accept: '*/*' } });
    expect(withoutHopByHop(req)).toBe(req);
  });
});

describe('deprecation headers', () => {
  afterEach(() => useDeprecations(DEPRECATIONS));

  const entry: Deprecation = {
    method: 'GET',
    path: '/webhooks/stripe',
    deprecatedAt: '2026-01-01T00:00:00Z',
    sunsetAt: '2026-12-31T23:59:59Z',
    link: 'https://docs.onasis.example/migrations/stripe-webhooks',
  };

  it('announce a deprecated route with Deprecation (RFC 9745), Sunset (RFC 8594) and a deprecation link', async () => {
    useDeprecations([entry]);
    const res = await fetchWith({ PAYMENTS: echo }, PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('@1767225600');
    expect(res.headers.get('sunset')).toBe('Thu, 31 Dec 2026 23:59:59 GMT');
    expect(res.headers.get('link')).toBe('<https://docs.onasis.example/migrations/stripe-webhooks>; rel="deprecation"');
  });

  it('leave other methods and routes alone', async () => {
    useDeprecations([entry]);
    const post = await fetchWith({ PAYMENTS: echo }, PATH, { method: 'POST' });
    expect(post.headers.get('deprecation')).toBeNull();
    expect(post.headers.get('sunset')).toBeNull();
    const other = await exports.default.fetch('http://gateway/.well-known/openid-configuration');
    expect(other.headers.get('deprecation')).toBeNull();
  });

  it('send only Deprecation when no sunset or link is known', async () => {
    useDeprecations([{ method: '*', path: '/webhooks/stripe', deprecatedAt: '2025-06-30T12:00:00Z' }]);
    const res = await fetchWith({ PAYMENTS: echo }, PATH, { method: 'POST' });
    expect(res.headers.get('deprecation')).toBe(`@${Date.UTC(2025, 5, 30, 12) / 1000}`);
    expect(res.headers.get('sunset')).toBeNull();
    expect(res.headers.get('link')).toBeNull();
  });

  it('stay on the answer when the service fails or its breaker is open', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    configureBreakers({ consecutiveFailures: 1 });
    try {
      useDeprecations([entry]);
      const failed = await fetchWith({ PAYMENTS: env.FAULT_THROWS }, PATH);
      expect(failed.status).toBe(502);
      expect(failed.headers.get('deprecation')).toBe('@1767225600');
      const refused = await fetchWith({ PAYMENTS: env.FAULT_THROWS }, PATH);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('deprecation')).toBe('@1767225600');
      expect(refused.headers.get('sunset')).toBe('Thu, 31 Dec 2026 23:59:59 GMT');
    } finally {
      configureBreakers();
      spy.mockRestore();
    }
  });

  it('match with the route-policy pattern syntax, first entry first', () => {
    const lookup = compileDeprecations([
      { method: 'DELETE', path: '/api/v1/files/:id', deprecatedAt: '2026-02-01' },
      { method: '*', path: '/api/v1/legacy/*', deprecatedAt: '2026-03-01' },
      { method: '*', path: '/api/v1/legacy/special', deprecatedAt: '2026-04-01' },
    ]);
    expect(lookup('DELETE', '/api/v1/files/fil_1')?.deprecation).toBe(`@${Date.UTC(2026, 1, 1) / 1000}`);
    expect(lookup('GET', '/api/v1/files/fil_1')).toBeUndefined();
    expect(lookup('DELETE', '/api/v1/files/')).toBeUndefined();
    expect(lookup('DELETE', '/api/v1/files/fil_1/parts')).toBeUndefined();
    expect(lookup('PATCH', '/api/v1/legacy/a/b')?.deprecation).toBe(`@${Date.UTC(2026, 2, 1) / 1000}`);
    expect(lookup('GET', '/api/v1/legacy/special')?.deprecation).toBe(`@${Date.UTC(2026, 2, 1) / 1000}`);
    expect(lookup('GET', '/api/v1/legacy')).toBeUndefined();
  });

  it('refuse a table with a date that does not parse', () => {
    expect(() => compileDeprecations([{ method: 'GET', path: '/x', deprecatedAt: 'soon' }])).toThrow(/deprecatedAt/);
    expect(() =>
      compileDeprecations([{ method: 'GET', path: '/x', deprecatedAt: '2026-01-01', sunsetAt: 'later' }]),
    ).toThrow(/sunsetAt/);
  });

  it('ship a table that compiles', () => {
    expect(() => compileDeprecations(DEPRECATIONS)).not.toThrow();
  });
});
