import { describe, expect, it } from 'vitest';
import { api, tokensOf } from './support/http.js';

const ALLOWED_ORIGIN = 'http://localhost:5173';
const FOREIGN_ORIGIN = 'https://evil.example';

// One answer of each kind: the gateway's own JSON, a gateway error, a domain Worker's answer and its error.
const RESPONSES = [
  ['the gateway', '/health'],
  ['a gateway error', '/nope'],
  ['a domain Worker', '/.well-known/jwks.json'],
  ['a domain Worker error', '/auth/e2e-nothing'],
] as const;

describe('security headers', () => {
  it.each(RESPONSES)('are set on an answer of %s', async (_, path) => {
    const res = await api(path);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const maxAge = /max-age=(\d+)/.exec(res.headers.get('strict-transport-security') ?? '')?.[1];
    expect(Number(maxAge)).toBeGreaterThanOrEqual(31_536_000);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
    expect(csp).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  });

  it("does not pass on the domain Workers' internal route header", async () => {
    const res = await api('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect([...res.headers.keys()].filter((name) => name.startsWith('x-onasis'))).toEqual([]);
  });
});

describe('CORS', () => {
  it.each(RESPONSES)('allows a configured origin to read an answer of %s', async (_, path) => {
    const res = await api(path, { headers: { origin: ALLOWED_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(tokensOf(res, 'vary')).toContain('ORIGIN');
    expect(tokensOf(res, 'access-control-expose-headers')).toContain('X-REQUEST-ID');
  });

  it('gives a foreign origin no CORS grant', async () => {
    const res = await api('/health', { headers: { origin: FOREIGN_ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(tokensOf(res, 'vary')).toContain('ORIGIN');
  });

  it('grants nothing to the null origin or to one that only resembles a configured origin', async () => {
    for (const origin of [
      'null',
      'http://localhost:5173.evil.example',
      'https://localhost:5173',
      'http://localhost:5174',
    ]) {
      const res = await api('/health', { headers: { origin } });
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('answers a preflight from a configured origin with 204 and what it may send', async () => {
    const res = await api('/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(tokensOf(res, 'access-control-allow-methods')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']),
    );
    expect(tokensOf(res, 'access-control-allow-headers')).toEqual(
      expect.arrayContaining(['AUTHORIZATION', 'CONTENT-TYPE', 'IDEMPOTENCY-KEY']),
    );
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });

  it('answers a preflight from a foreign origin without a grant', async () => {
    const res = await api('/auth/login', {
      method: 'OPTIONS',
      headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
