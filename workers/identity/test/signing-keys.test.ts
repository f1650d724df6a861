import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { drizzle } from 'drizzle-orm/d1';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  activeSigningKey,
  decryptPrivateJwk,
  encryptPrivateJwk,
  rotateSigningKeys,
  rotateSigningKeysIfDue,
  SIGNING_ALG,
} from '../src/services/signing-keys.js';
import { call, createUser, principalFor } from './helpers.js';

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

describe('retiring and scheduled rotation', () => {
  const admin = async () => principalFor((await createUser({ roles: ['admin'] })).id);
  const retire = (kid: string, principal: Principal) =>
    call(`/api/v1/signing-keys/${kid}/retire`, { method: 'POST' }, { principal });
  const setCreated = (kid: string, msAgo: number) =>
    env.DB.prepare('UPDATE signing_keys SET created_at = ? WHERE kid = ?')
      .bind(new Date(Date.now() - msAgo).toISOString(), kid)
      .run();

  it('retires the active key at once: a replacement signs now, the old kid leaves the JWKS and its private half', async () => {
    const principal = await admin();
    const k1 = (await activeSigningKey(db, SECRET)).kid;
    const res = await retire(k1, principal);
    expect(res.status).toBe(200);
    const body = await res.json<{ key: { kid: string; status: string }; replacedBy: string }>();
    expect(body.key).toMatchObject({ kid: k1, status: 'retired' });
    expect(body.replacedBy).toMatch(/^key_/);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([body.replacedBy]);
    expect((await activeSigningKey(db, SECRET)).kid).toBe(body.replacedBy);
    const row = await env.DB.prepare('SELECT private_jwk_encrypted FROM signing_keys WHERE kid = ?')
      .bind(k1)
      .first<{ private_jwk_encrypted: string | null }>();
    expect(row?.private_jwk_encrypted).toBeNull();
    // Sent again: nothing more happens.
    const again = await retire(k1, principal);
    expect(await again.json()).toMatchObject({ key: { kid: k1, status: 'retired' }, replacedBy: null });
    expect((await jwks()).keys).toHaveLength(1);
    const listed = await call('/api/v1/signing-keys', {}, { principal });
    expect((await listed.json<{ data: { kid: string; status: string }[] }>()).data).toEqual([
      expect.objectContaining({ kid: body.replacedBy, status: 'active' }),
      expect.objectContaining({ kid: k1, status: 'retired' }),
    ]);
  });

  it('retires a published key that does not sign without starting another', async () => {
    const principal = await admin();
    const k1 = (await activeSigningKey(db, SECRET)).kid;
    await setCreated(k1, 60 * 60_000);
    const k2 = await rotateSigningKeys(db, SECRET);
    const res = await retire(k2, principal);
    expect(await res.json()).toMatchObject({ key: { kid: k2, status: 'retired' }, replacedBy: null });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([k1]);
  });

  it('answers 404 for an unknown kid, 400 for a malformed one and 403 without keys:manage', async () => {
    const principal = await admin();
    expect((await retire('key_unknown', principal)).status).toBe(404);
    expect((await retire('key%20x%3B', principal)).status).toBe(400);
    const member = await principalFor((await createUser()).id);
    expect((await retire('key_unknown', member)).status).toBe(403);
    expect((await call('/api/v1/signing-keys', {}, { principal: member })).status).toBe(403);
  });

  it('rotates when the active key is due, and retires a replaced key an hour after its successor signs', async () => {
    const k1 = (await activeSigningKey(db, SECRET)).kid;
    expect(await rotateSigningKeysIfDue(db, SECRET, 30)).toEqual({ rotated: null, retired: 0 });
    await setCreated(k1, 31 * 24 * 3600_000);
    const { rotated: k2 } = await rotateSigningKeysIfDue(db, SECRET, 30);
    expect(k2).toMatch(/^key_/);
    // One new key waits to take over: a second run starts no other.
    expect(await rotateSigningKeysIfDue(db, SECRET, 30)).toEqual({ rotated: null, retired: 0 });
    expect((await activeSigningKey(db, SECRET)).kid).toBe(k1);
    await setCreated(String(k2), 11 * 60_000);
    expect((await activeSigningKey(db, SECRET)).kid).toBe(k2);
    // The previous key stays published while tokens it signed may still be live.
    expect(await rotateSigningKeysIfDue(db, SECRET, 30)).toEqual({ rotated: null, retired: 0 });
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([k1, k2].sort());
    await setCreated(String(k2), 2 * 3600_000);
    expect(await rotateSigningKeysIfDue(db, SECRET, 30)).toEqual({ rotated: null, retired: 1 });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([k2]);
  });
});
