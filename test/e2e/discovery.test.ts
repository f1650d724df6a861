import { describe, expect, it } from 'vitest';
import { api, jsonOf } from './support/http.js';

// Served by the identity Worker (which reads its own D1 database) through the gateway.
describe('discovery', () => {
  it('publishes the public half of the key that signs access tokens, and nothing private', async () => {
    const login = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@onasis.local', password: 'e2e-admin-password' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const kid = JSON.parse(Buffer.from(accessToken.split('.')[0] ?? '', 'base64url').toString()).kid;
    // Fresh from identity: an earlier test may have left an older key set in the gateway's response cache.
    const res = await api('/.well-known/jwks.json', { headers: { 'cache-control': 'no-cache' } });
    expect(res.status).toBe(200);
    const { keys } = (await jsonOf(res)) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.kid)).toContain(kid);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
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
