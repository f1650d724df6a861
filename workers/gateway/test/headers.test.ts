import { exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { signedInUser } from './identity-fixtures.js';

const get = (path: string, init?: RequestInit) => exports.default.fetch(`http://gateway${path}`, init);

describe('request id and trace context', () => {
  it('reuses a sane incoming X-Request-Id', async () => {
    const res = await get('/health', { headers: { 'x-request-id': 'client-42' } });
    expect(res.headers.get('x-request-id')).toBe('client-42');
  });

  it('replaces an unsafe X-Request-Id', async () => {
    const res = await get('/nope', { headers: { 'x-request-id': 'evil value\twith tabs' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect((await res.json<{ requestId: string }>()).requestId).toBe(id);
  });

  it('continues the caller trace with a new span and passes it to the service', async () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await get('/.well-known/jwks.json', { headers: { traceparent: incoming } });
    expect(res.headers.get('traceparent')).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$/,
    );
  });
});

describe('access log', () => {
  it('writes one JSON line per request with the route template and no secrets or query', async () => {
    const { accessToken } = await signedInUser();
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    await get('/.well-known/jwks.json?token=s3cret', {
      headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'log-test-1' },
    });
    const lines = spy.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('log-test-1'));
    spy.mockRestore();
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/.well-known/jwks.json',
      status: 200,
      requestId: 'log-test-1',
      service: 'gateway',
      upstream: 'identity',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(typeof access[0].durationMs).toBe('number');
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(lines.join('\n')).not.toContain(accessToken.split('.')[2]);
  });
});

describe('security headers', () => {
  it('hardens every API response', async () => {
    const res = await get('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('keeps them on errors too', async () => {
    const res = await get('/nope');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('CORS', () => {
  it('echoes an allowed origin with credentials', async () => {
    const res = await get('/health', { headers: { origin: 'http://localhost:5173' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('gives no CORS grant to an origin that is not listed', async () => {
    const res = await get('/health', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await get('/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });
});
