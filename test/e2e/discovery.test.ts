import { describe, expect, it } from 'vitest';
import { api, jsonOf } from './support/http.js';

// Served by the identity Worker (which reads its own D1 database) through the gateway.
describe('discovery', () => {
  it('publishes an empty JSON Web Key Set before any signing key exists', async () => {
    const res = await api('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ keys: [] });
    expect(res.headers.get('cache-control')).toMatch(/\bpublic\b.*\bmax-age=\d+/);
  });

  it('publishes an OpenID configuration whose jwks_uri is the key set under its issuer', async () => {
    const res = await api('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const body = (await jsonOf(res)) as Record<string, unknown>;
    expect(body).toMatchObject({ issuer: expect.stringMatching(/^https?:\/\/[^/]+$/), jwks_uri: expect.any(String) });
    expect(body.jwks_uri).toBe(`${body.issuer}/.well-known/jwks.json`);
    expect(new URL(String(body.token_endpoint)).origin).toBe(body.issuer);
    expect(body.id_token_signing_alg_values_supported).toContain('ES256');
  });
});
