import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fetchWith, problemOf } from './helpers.js';

describe('GET /openapi.json', () => {
  it('merges the gateway document with every service part into OpenAPI 3.1', async () => {
    const res = await exports.default.fetch('http://gateway/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<{
      openapi: string;
      paths: Record<string, unknown>;
      tags: { name: string }[];
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/metrics', '/.well-known/jwks.json', '/.well-known/openid-configuration']),
    );
    expect(doc.tags.map((t) => t.name)).toEqual(
      expect.arrayContaining(['identity', 'payments', 'notifications', 'analytics', 'files', 'jobs']),
    );
    expect(doc.components.schemas).toHaveProperty('JsonWebKeySet');
    expect(doc).not.toHaveProperty('x-unavailable-services');
  });

  it('names the origin each request came in on as the server, also once the document is cached', async () => {
    const first = await exports.default.fetch('https://first.example/openapi.json');
    const second = await exports.default.fetch('https://second.example/openapi.json');
    expect((await first.json<{ servers: { url: string }[] }>()).servers).toEqual([{ url: 'https://first.example' }]);
    expect((await second.json<{ servers: { url: string }[] }>()).servers).toEqual([{ url: 'https://second.example' }]);
  });

  it('still answers while a service is down, naming it', async () => {
    const res = await fetchWith({ PAYMENTS: env.FAULT_THROWS }, '/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<Record<string, unknown>>();
    expect(doc['x-unavailable-services']).toEqual(['payments']);
  });
});

describe('GET /docs', () => {
  it('serves the interactive reference from this origin only, its inline script allowed by a nonce', async () => {
    const res = await exports.default.fetch('http://gateway/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(html).toContain('<script src="/docs/assets/api-reference.js"');
    expect(html).not.toMatch(/https?:\/\/(cdn|fonts)\./);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([0-9a-f]{32})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`nonce="${nonce}"`);
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
  });

  it('uses a fresh nonce for every response', async () => {
    const a = await exports.default.fetch('http://gateway/docs');
    const b = await exports.default.fetch('http://gateway/docs');
    expect(a.headers.get('content-security-policy')).not.toBe(b.headers.get('content-security-policy'));
  });

  it('serves the reference bundle as a cacheable static asset through the Worker', async () => {
    const res = await exports.default.fetch('http://gateway/docs/assets/api-reference.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect((await res.text()).length).toBeGreaterThan(100_000);
  });

  it('answers 404 for an asset that does not exist', async () => {
    const res = await exports.default.fetch('http://gateway/docs/assets/nope.js');
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('ROUTE_NOT_FOUND');
  });
});
