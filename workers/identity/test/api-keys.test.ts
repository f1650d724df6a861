import { env, exports } from 'cloudflare:workers';
import { FORGET_HEADER, type Principal } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import {
  type ApiKeyView,
  LAST_USED_RESOLUTION_MS,
  MAX_ACTIVE_API_KEYS,
  verifyApiKey,
} from '../src/services/api-keys.js';
import { sha256Hex } from '../src/services/crypto.js';
import { call, createUser, principalFor } from './helpers.js';

const KEYS = '/api/v1/users/me/api-keys';

interface CreatedKey extends ApiKeyView {
  secret: string;
}

async function member(roles: string[] = ['member']): Promise<{ id: string; principal: Principal }> {
  const { id } = await createUser({ roles });
  return { id, principal: await principalFor(id) };
}

async function createKey(principal: Principal, body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await call(KEYS, { json: body }, { principal });
  if (res.status !== 201) throw new Error(`create failed with ${res.status}: ${await res.text()}`);
  return res.json<CreatedKey>();
}

async function row(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

/** The grant verifyApiKey answers for `secret`, or null when it refuses the key. */
async function keyOwner(secret: string) {
  const answer = await exports.IdentityService.verifyApiKey(secret);
  return answer.ok ? answer.data : null;
}

describe('creating a key', () => {
  it('answers the secret once, in the documented format, and stores only its hash', async () => {
    const { id, principal } = await member();
    const res = await call(KEYS, { json: { name: 'CI', scopes: ['files:read'] } }, { principal });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const key = await res.json<CreatedKey>();
    expect(key).toMatchObject({ name: 'CI', scopes: ['files:read'], expiresAt: null, lastUsedAt: null });
    expect(key.secret).toMatch(/^onk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    expect(key.id).toMatch(/^apk_[0-9a-f]{32}$/);

    const stored = await row(key.id);
    expect(stored).toMatchObject({ user_id: id, prefix: key.prefix, key_hash: await sha256Hex(key.secret) });
    // Nowhere in the row, in any column, is the secret part of the key.
    const secretPart = key.secret.slice(13);
    expect(JSON.stringify(stored)).not.toContain(secretPart);

    const audited = await env.DB.prepare(
      "SELECT actor_id, data FROM audit_logs WHERE action = 'api_key.created' AND target_id = ?",
    )
      .bind(key.id)
      .first<{ actor_id: string; data: string }>();
    expect(audited?.actor_id).toBe(id);
    expect(audited?.data).not.toContain(secretPart);
  });

  it('lists keys without their secrets, newest first', async () => {
    const { principal } = await member();
    const first = await createKey(principal, { name: 'one', scopes: [] });
    const second = await createKey(principal, { name: 'two', scopes: ['files:read', 'files:write'] });
    const res = await call(KEYS, {}, { principal });
    expect(res.status).toBe(200);
    const { data } = await res.json<{ data: Record<string, unknown>[] }>();
    expect(data.map((k) => k.id)).toEqual([second.id, first.id]);
    for (const k of data) expect(k).not.toHaveProperty('secret');
    expect(JSON.stringify(data)).not.toContain(first.secret.slice(13));
    expect(data[0]).toMatchObject({ name: 'two', prefix: second.prefix, scopes: ['files:read', 'files:write'] });
  });

  it('refuses scopes the caller does not hold, and takes an empty list', async () => {
    const { principal } = await member();
    for (const scopes of [['users:read'], ['files:read', 'roles:write'], ['no-such:permission']]) {
      const res = await call(KEYS, { json: { name: 'x', scopes } }, { principal });
      expect(res.status, JSON.stringify(scopes)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect((await createKey(principal, { name: 'none', scopes: [] })).scopes).toEqual([]);
    const admin = await member(['admin']);
    expect((await createKey(admin.principal, { name: 'read users', scopes: ['users:read'] })).scopes).toEqual([
      'users:read',
    ]);
  });

  it('judges scopes by the roles held now, not by the ones the token recorded', async () => {
    const { id } = await createUser({ roles: ['member'] });
    const stale: Principal = { userId: id, sessionId: 'ses_x', permissions: ['users:read'], via: 'access_token' };
    const res = await call(KEYS, { json: { name: 'x', scopes: ['users:read'] } }, { principal: stale });
    expect(res.status).toBe(400);
  });

  it('validates the body', async () => {
    const { principal } = await member();
    for (const body of [
      {},
      { name: '', scopes: [] },
      { name: 'x' },
      { name: 'x', scopes: 'files:read' },
      { name: 'x', scopes: [], expiresAt: 'tomorrow' },
      { name: 'x', scopes: [], expiresAt: '2001-01-01T00:00:00Z' },
      { name: 'x', scopes: [], extra: true },
    ]) {
      const res = await call(KEYS, { json: body }, { principal });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it(`allows ${MAX_ACTIVE_API_KEYS} active keys per user; revoked and expired ones do not count`, async () => {
    const { id, principal } = await member();
    const keys: CreatedKey[] = [];
    for (let i = 0; i < MAX_ACTIVE_API_KEYS; i++) keys.push(await createKey(principal, { name: `k${i}`, scopes: [] }));
    const over = await call(KEYS, { json: { name: 'one too many', scopes: [] } }, { principal });
    expect(over.status).toBe(409);
    const revoke = await call(`${KEYS}/${keys[0]?.id}`, { method: 'DELETE' }, { principal });
    expect(revoke.status).toBe(204);
    await createKey(principal, { name: 'takes the freed place', scopes: [] });
    expect((await call(KEYS, { json: { name: 'again', scopes: [] } }, { principal })).status).toBe(409);
    await env.DB.prepare("UPDATE api_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ? AND user_id = ?")
      .bind(keys[1]?.id, id)
      .run();
    expect((await call(KEYS, { json: { name: 'after expiry', scopes: [] } }, { principal })).status).toBe(201);
  });

  it('cannot be done, listed or revoked with an API key', async () => {
    const { id, principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: ['files:read'] });
    const viaKey: Principal = { userId: id, sessionId: null, permissions: ['files:read'], via: 'api_key' };
    for (const [path, init] of [
      [KEYS, { json: { name: 'minted', scopes: [] } }],
      [KEYS, {}],
      [`${KEYS}/${key.id}`, { method: 'DELETE' }],
    ] as const) {
      const res = await call(path, init, { principal: viaKey });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await row(key.id)).toMatchObject({ revoked_at: null });
  });

  it('is 401 without a principal', async () => {
    expect((await call(KEYS)).status).toBe(401);
  });
});

describe('revoking a key', () => {
  it('revokes only the caller’s own key, once, and audits it', async () => {
    const owner = await member();
    const other = await member();
    const key = await createKey(owner.principal, { name: 'k', scopes: [] });
    const foreign = await call(`${KEYS}/${key.id}`, { method: 'DELETE' }, { principal: other.principal });
    expect(foreign.status).toBe(404);
    expect(await keyOwner(key.secret)).not.toBeNull();

    expect(foreign.headers.get(FORGET_HEADER)).toBeNull();
    const res = await call(`${KEYS}/${key.id}`, { method: 'DELETE' }, { principal: owner.principal });
    expect(res.status).toBe(204);
    // The gateway isolate that forwarded the revocation drops the key from its cache at once.
    expect(res.headers.get(FORGET_HEADER)).toBe(`api-key=${key.id}`);
    expect(await keyOwner(key.secret)).toBeNull();
    expect((await call(`${KEYS}/${key.id}`, { method: 'DELETE' }, { principal: owner.principal })).status).toBe(404);
    const listed = await (await call(KEYS, {}, { principal: owner.principal })).json<{ data: unknown[] }>();
    expect(listed.data).toEqual([]);
    const audited = await env.DB.prepare(
      "SELECT actor_id FROM audit_logs WHERE action = 'api_key.revoked' AND target_id = ?",
    )
      .bind(key.id)
      .first<{ actor_id: string }>();
    expect(audited?.actor_id).toBe(owner.id);
  });
});

describe('verifyApiKey (RPC)', () => {
  it('answers the user, the key, its scopes and the plan', async () => {
    const { id, principal } = await member();
    await env.DB.prepare("UPDATE users SET plan = 'pro' WHERE id = ?").bind(id).run();
    const key = await createKey(principal, { name: 'k', scopes: ['files:write', 'files:read'] });
    expect(await keyOwner(key.secret)).toEqual({
      userId: id,
      keyId: key.id,
      scopes: ['files:read', 'files:write'],
      plan: 'pro',
    });
  });

  it('refuses unknown, malformed and altered keys', async () => {
    const { principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    const last = key.secret.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [
      `${key.secret.slice(0, -1)}${last}`,
      key.secret.slice(0, -1),
      `${key.secret}A`,
      key.prefix,
      '',
      'onk_',
      'x'.repeat(10_000),
    ]) {
      expect(await keyOwner(bad)).toBeNull();
    }
    // A client of the RPC surface may send anything at all.
    for (const junk of [42, null]) {
      expect(await exports.IdentityService.verifyApiKey(junk as unknown as string)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    expect(await exports.IdentityService.verifyApiKey(key.prefix)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses a key once it expired', async () => {
    const { principal } = await member();
    const soon = new Date(Date.now() + 60_000).toISOString();
    const key = await createKey(principal, { name: 'k', scopes: [], expiresAt: soon });
    expect(key.expiresAt).toBe(soon);
    expect(await keyOwner(key.secret)).not.toBeNull();
    const touched: Promise<unknown>[] = [];
    const later = new Date(Date.now() + 61_000);
    expect(await verifyApiKey(env.DB, key.secret, (w) => touched.push(w), later)).toBeNull();
    await Promise.all(touched);
  });

  it('refuses every key of a disabled user, and accepts them again once the user is enabled', async () => {
    const { id, principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(id).run();
    expect(await keyOwner(key.secret)).toBeNull();
    await env.DB.prepare("UPDATE users SET status = 'active' WHERE id = ?").bind(id).run();
    expect(await keyOwner(key.secret)).not.toBeNull();
  });

  it('refuses the keys of a deleted user', async () => {
    const { id, principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    await env.DB.prepare('DELETE FROM users WHERE id = ?').bind(id).run();
    expect(await keyOwner(key.secret)).toBeNull();
    expect(await row(key.id)).toBeNull();
  });

  it('narrows a key to the permissions its user still holds', async () => {
    const { id, principal } = await member(['admin']);
    const key = await createKey(principal, { name: 'k', scopes: ['users:read', 'files:read'] });
    expect((await keyOwner(key.secret))?.scopes).toEqual(['users:read', 'files:read']);
    await env.DB.prepare("DELETE FROM user_roles WHERE user_id = ? AND role = 'admin'").bind(id).run();
    expect((await keyOwner(key.secret))?.scopes).toEqual([]);
    await env.DB.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'member')").bind(id).run();
    // Regaining a role gives back only what the key was created with.
    expect((await keyOwner(key.secret))?.scopes).toEqual(['files:read']);
  });

  it('records the last use after the answer, through the RPC', async () => {
    const { principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    const before = Date.now();
    expect(await keyOwner(key.secret)).not.toBeNull();
    // The write runs in waitUntil, after the answer: wait for it with a generous bound.
    let lastUsedAt: unknown = null;
    for (const deadline = Date.now() + 5000; lastUsedAt === null && Date.now() < deadline; ) {
      lastUsedAt = (await row(key.id))?.last_used_at ?? null;
      if (lastUsedAt === null) await new Promise((r) => setTimeout(r, 20));
    }
    expect(typeof lastUsedAt).toBe('string');
    expect(Date.parse(lastUsedAt as string)).toBeGreaterThanOrEqual(before - 1000);
    const listed = await (await call(KEYS, {}, { principal })).json<{ data: CreatedKey[] }>();
    expect(listed.data[0]?.lastUsedAt).toBe(lastUsedAt);
  });

  it(`writes the last use at most once per ${LAST_USED_RESOLUTION_MS / 1000} s per key`, async () => {
    const { principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    const use = async (ms: number): Promise<number> => {
      const writes: Promise<unknown>[] = [];
      expect(await verifyApiKey(env.DB, key.secret, (w) => writes.push(w), at(ms))).not.toBeNull();
      await Promise.all(writes);
      return writes.length;
    };
    expect(await use(0)).toBe(1);
    expect((await row(key.id))?.last_used_at).toBe(at(0).toISOString());
    expect(await use(1_000)).toBe(0);
    expect(await use(LAST_USED_RESOLUTION_MS - 1)).toBe(0);
    expect((await row(key.id))?.last_used_at).toBe(at(0).toISOString());
    expect(await use(LAST_USED_RESOLUTION_MS + 1)).toBe(1);
    expect((await row(key.id))?.last_used_at).toBe(at(LAST_USED_RESOLUTION_MS + 1).toISOString());
  });

  it('lets only one of many concurrent uses record the time', async () => {
    const { principal } = await member();
    const key = await createKey(principal, { name: 'k', scopes: [] });
    const now = new Date();
    const writes: Promise<unknown>[] = [];
    // However the reads and writes interleave, several requests may see no recent use; the conditional UPDATE lets
    // exactly one of their writes land.
    await Promise.all(Array.from({ length: 10 }, () => verifyApiKey(env.DB, key.secret, (w) => writes.push(w), now)));
    const results = (await Promise.all(writes)) as D1Result[];
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(results.reduce((n, r) => n + r.meta.changes, 0)).toBe(1);
  });
});
