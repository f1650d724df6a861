import { env, exports } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  decryptPrivateJwk,
  encryptPrivateJwk,
  rotateSigningKeys,
  SIGNING_ALG,
} from '../src/services/signing-keys.js';

const SECRET = env.KEY_ENCRYPTION_KEY;
const db = drizzle(env.DB);

async function jwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const res = await exports.default.fetch('http://identity/.well-known/jwks.json');
  expect(res.status).toBe(200);
  return res.json();
}

beforeEach(async () => {
  await env.DB.prepare('DELETE FROM signing_keys').run();
});

describe('sealed private keys', () => {
  it('round-trips a private JWK under the same secret and kid', async () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private-part' };
    const sealed = await encryptPrivateJwk(jwk, 'key_a', SECRET);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private-part');
    expect(await decryptPrivateJwk(sealed, 'key_a', SECRET)).toEqual(jwk);
  });

  it('refuses to open under another secret or for another kid', async () => {
    const sealed = await encryptPrivateJwk({ kty: 'EC', d: 'secret' }, 'key_a', SECRET);
    await expect(decryptPrivateJwk(sealed, 'key_a', `${SECRET}-other`)).rejects.toThrow();
    await expect(decryptPrivateJwk(sealed, 'key_b', SECRET)).rejects.toThrow();
  });

  it('refuses a secret too short to be one', async () => {
    await expect(encryptPrivateJwk({ kty: 'EC' }, 'key_a', 'short')).rejects.toThrow(/at least 32/);
  });
});

describe('signing keys', () => {
  it('creates a key on first use, then keeps signing with it', async () => {
    const first = await activeSigningKey(db, SECRET);
    const again = await activeSigningKey(db, SECRET);
    expect(again.kid).toBe(first.kid);
    const rows = await env.DB.prepare('SELECT kid, private_jwk_encrypted FROM signing_keys').all<{
      kid: string;
      private_jwk_encrypted: string;
    }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]?.private_jwk_encrypted).toMatch(/^v1\./);
  });

  it('signs tokens that verify against the published key, which carries no private part', async () => {
    const { kid, privateKey } = await activeSigningKey(db, SECRET);
    const token = await new SignJWT({ sub: 'usr_1' })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    const published = keys[0] ?? {};
    expect(published).toMatchObject({ kid, kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published).not.toHaveProperty('d');
    const { payload } = await jwtVerify(token, await importJWK(published, SIGNING_ALG), { algorithms: [SIGNING_ALG] });
    expect(payload.sub).toBe('usr_1');
  });

  it('rotates: the new key signs, the previous stays published, older ones are retired and erased', async () => {
    const k1 = (await activeSigningKey(db, SECRET)).kid;
    const k2 = await rotateSigningKeys(db, SECRET);
    expect((await activeSigningKey(db, SECRET)).kid).toBe(k2);
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([k1, k2].sort());

    const k3 = await rotateSigningKeys(db, SECRET);
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([k2, k3].sort());
    const retired = await env.DB.prepare('SELECT retired_at, private_jwk_encrypted FROM signing_keys WHERE kid = ?')
      .bind(k1)
      .first<{ retired_at: string | null; private_jwk_encrypted: string | null }>();
    expect(retired?.retired_at).not.toBeNull();
    expect(retired?.private_jwk_encrypted).toBeNull();
  });
});
