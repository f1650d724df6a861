import { env, exports } from 'cloudflare:workers';
import { BUILT_IN_ROLES } from '@onasis/contracts';
import { describe, expect, it, vi } from 'vitest';

describe('GET /.well-known/jwks.json', () => {
  it('publishes the keys that are not retired', async () => {
    await env.DB.batch([
      env.DB.prepare('INSERT INTO signing_keys (kid, public_jwk) VALUES (?, ?)').bind(
        'k1',
        JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }),
      ),
      env.DB.prepare(
        "INSERT INTO signing_keys (kid, public_jwk, retired_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
      ).bind('k0', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'c', y: 'd' })),
    ]);
    const res = await exports.default.fetch('http://identity/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-onasis-route')).toBe('/.well-known/jwks.json');
    const body = await res.json<{ keys: { kid: string; use: string }[] }>();
    expect(body.keys.map((k) => k.kid)).toEqual(['k1']);
    expect(body.keys[0]?.use).toBe('sig');
  });

  it('reads D1 with one statement, prepared once and reused by every later request', async () => {
    const prepare = vi.spyOn(env.DB, 'prepare');
    for (let i = 0; i < 3; i++) {
      const res = await exports.default.fetch('http://identity/.well-known/jwks.json');
      expect(res.status).toBe(200);
    }
    // Any other query would be prepared per request; the JWKS one only once per binding (not at all when an
    // earlier test of this isolate already prepared it).
    expect(prepare.mock.calls.length).toBeLessThanOrEqual(1);
    prepare.mockRestore();
  });
});

describe('built-in roles', () => {
  it('seeds admin and member with the permissions declared in contracts', async () => {
    const rows = await env.DB.prepare('SELECT name, permissions FROM roles WHERE built_in = 1 ORDER BY name').all<{
      name: string;
      permissions: string;
    }>();
    const seeded = Object.fromEntries(rows.results.map((r) => [r.name, JSON.parse(r.permissions)]));
    expect(seeded).toEqual({
      admin: [...BUILT_IN_ROLES.admin.permissions],
      member: [...BUILT_IN_ROLES.member.permissions],
    });
  });
});
