import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fetchWith } from './helpers.js';

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
  it('serves the interactive reference pointing at the merged document', async () => {
    const res = await exports.default.fetch('http://gateway/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(res.headers.get('content-security-policy')).toContain('script-src');
  });
});
