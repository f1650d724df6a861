import { describe, expect, it } from 'vitest';
import { api, jsonOf } from './support/http.js';

type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  tags?: { name: string }[];
  components?: Record<string, Record<string, unknown> | undefined>;
} & Record<string, unknown>;

/** Every `$ref` string anywhere in `value`. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

/** Follows a local JSON pointer (`#/components/schemas/Health`) in `doc`. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

async function openapi(): Promise<OpenApiDocument> {
  const res = await api('/openapi.json');
  expect(res.status).toBe(200);
  return (await jsonOf(res)) as OpenApiDocument;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with the gateway and identity paths merged in', async () => {
    const doc = await openapi();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toEqual(expect.any(String));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/metrics', '/.well-known/jwks.json', '/.well-known/openid-configuration']),
    );
    expect(doc.paths['/health']).toHaveProperty('get');
    expect(doc.paths['/.well-known/jwks.json']).toHaveProperty('get');
  });

  it('includes every service, none reported unavailable', async () => {
    const doc = await openapi();
    expect(doc['x-unavailable-services']).toBeUndefined();
    expect(doc.tags?.map((t) => t.name)).toEqual(
      expect.arrayContaining(['identity', 'payments', 'notifications', 'analytics', 'files', 'jobs']),
    );
  });

  it('resolves every $ref and security scheme it uses', async () => {
    const doc = await openapi();
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolvePointer(doc, ref) === undefined)).toEqual([]);
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    const used = Object.values(doc.paths)
      .flatMap((ops) => Object.values(ops))
      .flatMap((op) => ((op as { security?: Record<string, unknown>[] }).security ?? []).flatMap(Object.keys));
    expect(used).toContain('bearerAuth');
    expect(used.filter((name) => !schemes.includes(name))).toEqual([]);
  });
});

describe('GET /docs', () => {
  it('serves the interactive reference page loading /openapi.json', async () => {
    const res = await api('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    const html = await res.text();
    expect(html).toMatch(/<title>[^<]*API reference[^<]*<\/title>/i);
    expect(html).toContain('/openapi.json');
  });

  it('carries its own content security policy that lets the page run its scripts', async () => {
    const res = await api('/docs');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/(^|;)\s*script-src [^;]+/);
    expect(csp).toMatch(/(^|;)\s*frame-ancestors 'none'/);
    // Not the deny-all policy of API responses, which would leave the page blank.
    expect(csp).not.toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
