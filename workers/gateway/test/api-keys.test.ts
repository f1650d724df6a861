import { env } from 'cloudflare:workers';
import type { Principal, RequestMeta } from '@onasis/contracts';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { API_KEY_CACHE_MS, apiKeyIdOf } from '../src/services/api-keys.js';
import { fetchWith, problemOf } from './helpers.js';
import { advanceClock, bearer, json, request, type SignedIn, signedInUser } from './identity-fixtures.js';

const KEYS = '/api/v1/users/me/api-keys';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface CreatedKey {
  id: string;
  prefix: string;
  scopes: string[];
  secret: string;
}

/** Creates a key for a signed-in user through the gateway, as a client would. */
async function createKey(owner: SignedIn, scopes: string[] = []): Promise<CreatedKey> {
  const res = await request(KEYS, bearer(owner.accessToken, json({ name: 'test key', scopes })));
  if (res.status !== 201) throw new Error(`create failed with ${res.status}: ${await res.text()}`);
  return res.json<CreatedKey>();
}

const apiKeyHeader = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), 'x-api-key': key },
});

/**
 * The real identity binding behind a wrapper that counts `verifyApiKey` calls, which `replace` can make fail or
 * hang; requests through it run the gateway app in this isolate, sharing its caches.
 */
function countingIdentity(replace?: (key: string) => Promise<unknown>) {
  const calls = { verifyApiKey: 0 };
  const binding = {
    verifyApiKey: (key: string) => {
      calls.verifyApiKey += 1;
      return replace ? replace(key) : env.IDENTITY.verifyApiKey(key);
    },
    sessionStatus: (userId: string, sessionId: string) => env.IDENTITY.sessionStatus(userId, sessionId),
    jwks: () => env.IDENTITY.jwks(),
    handle: (req: Request, meta: RequestMeta) => env.IDENTITY.handle(req, meta),
  };
  const fetch = (path: string, init?: RequestInit) => fetchWith({ IDENTITY: binding }, path, init);
  return { calls, fetch };
}

/** Revokes a key in identity directly, as a request through another gateway isolate would. */
async function revokeElsewhere(owner: SignedIn, keyId: string): Promise<void> {
  const principal: Principal = {
    userId: owner.subject.sub,
    sessionId: owner.subject.sid,
    permissions: owner.subject.permissions,
    via: 'access_token',
  };
  const res = await env.IDENTITY.handle(new Request(`http://identity${KEYS}/${keyId}`, { method: 'DELETE' }), {
    requestId: `req_${crypto.randomUUID().replaceAll('-', '')}`,
    traceparent: TRACEPARENT,
    principal,
  });
  expect(res.status).toBe(204);
}

// Two sign-ins for the whole file: the gateway's rate limit on /auth/login counts per IP, and every test request
// comes from the same one.
let member: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  member = await signedInUser();
  admin = await signedInUser(['admin']);
});

beforeEach(() => {
  resetAuthCaches();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('API keys at the gateway', () => {
  it('authenticate GET /api/v1/users/me as Authorization: Bearer and as X-API-Key', async () => {
    const owner = member;
    const key = await createKey(owner, ['files:read']);
    for (const init of [bearer(key.secret), apiKeyHeader(key.secret)]) {
      const res = await request('/api/v1/users/me', init);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: owner.user.id, email: owner.user.email });
    }
  });

  it('hand the service a principal without a session, with the key’s scopes and the user’s plan', async () => {
    const owner = member;
    await env.IDENTITY_DB.prepare("UPDATE users SET plan = 'pro' WHERE id = ?").bind(owner.user.id).run();
    const key = await createKey(owner, ['files:write']);
    let seen: Principal | undefined;
    const binding = {
      verifyApiKey: (k: string) => env.IDENTITY.verifyApiKey(k),
      handle: (req: Request, meta: RequestMeta) => {
        seen = meta.principal;
        return env.IDENTITY.handle(req, meta);
      },
    };
    const res = await fetchWith({ IDENTITY: binding }, '/api/v1/users/me', apiKeyHeader(key.secret));
    expect(res.status).toBe(200);
    expect(seen).toEqual({
      userId: owner.user.id,
      sessionId: null,
      permissions: ['files:write'],
      via: 'api_key',
      plan: 'pro',
    });
    expect(apiKeyIdOf(seen as Principal)).toBe(key.id);
  });

  it('refuse unknown, malformed and misplaced credentials with the same 401 as a bad token', async () => {
    const owner = member;
    const key = await createKey(owner);
    const other = key.secret.at(-1) === 'A' ? 'B' : 'A';
    const { calls, fetch } = countingIdentity();
    for (const init of [
      bearer(`${key.secret.slice(0, -1)}${other}`),
      apiKeyHeader(`${key.secret.slice(0, -1)}${other}`),
      apiKeyHeader(key.prefix),
      apiKeyHeader('onk_not-a-key'),
      // The header is for API keys only, not for access tokens.
      apiKeyHeader(owner.accessToken),
    ]) {
      const res = await fetch('/api/v1/users/me', init);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
    }
    // Only the well-formed key was worth asking about, once: both header forms carried it, and the no is remembered.
    expect(calls.verifyApiKey).toBe(1);
  });

  it('let Authorization win when both headers are present', async () => {
    const owner = member;
    const key = await createKey(owner);
    const withToken = await request('/api/v1/users/me', bearer(owner.accessToken, apiKeyHeader('onk_garbage')));
    expect(withToken.status).toBe(200);
    const badBearer = await request('/api/v1/users/me', bearer('onk_aaaaaaaa_nope', apiKeyHeader(key.secret)));
    expect(badBearer.status).toBe(401);
  });

  it('enforce scopes: a key without users:read cannot list users, even for an admin', async () => {
    expect((await request('/api/v1/users', bearer(admin.accessToken))).status).toBe(200);
    const narrow = await createKey(admin, ['files:read']);
    const res = await request('/api/v1/users', apiKeyHeader(narrow.secret));
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('FORBIDDEN');
    const reader = await createKey(admin, ['users:read']);
    expect((await request('/api/v1/users', apiKeyHeader(reader.secret))).status).toBe(200);
    // users:write was not granted, so the key cannot change users.
    const patch = await request(
      `/api/v1/users/${admin.user.id}`,
      apiKeyHeader(reader.secret, json({ name: 'x' }, { method: 'PATCH' })),
    );
    expect(patch.status).toBe(403);
  });

  it('cannot manage API keys', async () => {
    const owner = member;
    const key = await createKey(owner);
    const minted = await request(KEYS, apiKeyHeader(key.secret, json({ name: 'more', scopes: [] })));
    expect(minted.status).toBe(403);
    expect((await request(KEYS, apiKeyHeader(key.secret))).status).toBe(403);
  });

  it('keeps working on public routes with a bad key, as an anonymous caller', async () => {
    const res = await request('/.well-known/jwks.json', apiKeyHeader('onk_aaaaaaaa_nope'));
    expect(res.status).toBe(200);
  });
});

describe('the API-key cache', () => {
  it('asks identity once per key within the window, then again', async () => {
    const owner = member;
    const key = await createKey(owner);
    const { calls, fetch } = countingIdentity();
    for (let i = 0; i < 5; i++) expect((await fetch('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    expect(calls.verifyApiKey).toBe(1);
    advanceClock(API_KEY_CACHE_MS - 1000);
    expect((await fetch('/api/v1/users/me', apiKeyHeader(key.secret))).status).toBe(200);
    expect(calls.verifyApiKey).toBe(1);
    advanceClock(API_KEY_CACHE_MS + 1);
    expect((await fetch('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    expect(calls.verifyApiKey).toBe(2);
  });

  it('answers concurrent misses each on its own, then from the cache, and remembers a no', async () => {
    const owner = member;
    const key = await createKey(owner);
    const { calls, fetch } = countingIdentity();
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch('/api/v1/users/me', bearer(key.secret))));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    const asked = calls.verifyApiKey;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(8);
    for (let i = 0; i < 3; i++) expect((await fetch('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    expect(calls.verifyApiKey).toBe(asked);

    const unknown = `onk_zzzzzzzz_${'A'.repeat(43)}`;
    for (let i = 0; i < 3; i++) expect((await fetch('/api/v1/users/me', bearer(unknown))).status).toBe(401);
    expect(calls.verifyApiKey).toBe(asked + 1);
  });

  it('never makes a request wait on the key check another request started', async () => {
    // A shared call would fail every waiting request once the request that started it ended (workerd cancels
    // them); here the first check hangs until the end, and the second request is answered meanwhile.
    const key = await createKey(member);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const identity = countingIdentity((k) =>
      identity.calls.verifyApiKey === 1
        ? held.then(async () => await env.IDENTITY.verifyApiKey(k))
        : env.IDENTITY.verifyApiKey(k),
    );
    const first = identity.fetch('/api/v1/users/me', bearer(key.secret));
    await vi.waitFor(() => expect(identity.calls.verifyApiKey).toBe(1));
    expect((await identity.fetch('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    expect(identity.calls.verifyApiKey).toBe(2);
    release();
    expect((await first).status).toBe(200);
  });

  it('stops a key revoked elsewhere once the window has passed (within 60 s)', async () => {
    const owner = member;
    const key = await createKey(owner);
    expect((await request('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    await revokeElsewhere(owner, key.id);
    // Still the cached answer in this isolate: this is the bounded staleness the design accepts.
    expect((await request('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    advanceClock(API_KEY_CACHE_MS + 1);
    expect(API_KEY_CACHE_MS).toBeLessThanOrEqual(60_000);
    const res = await request('/api/v1/users/me', bearer(key.secret));
    expect(res.status).toBe(401);
  });

  it('stops a key at once in the isolate that forwarded its revocation', async () => {
    const owner = member;
    const key = await createKey(owner);
    expect((await request('/api/v1/users/me', apiKeyHeader(key.secret))).status).toBe(200);
    const revoked = await request(`${KEYS}/${key.id}`, bearer(owner.accessToken, { method: 'DELETE' }));
    expect(revoked.status).toBe(204);
    expect((await request('/api/v1/users/me', apiKeyHeader(key.secret))).status).toBe(401);
  });

  it('answers 503 while identity cannot be asked, and remembers nothing from it', async () => {
    const owner = member;
    const key = await createKey(owner);
    const down = countingIdentity(() => Promise.reject(new Error('identity is down')));
    const res = await down.fetch('/api/v1/users/me', bearer(key.secret));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    const up = countingIdentity();
    expect((await up.fetch('/api/v1/users/me', bearer(key.secret))).status).toBe(200);
    expect(up.calls.verifyApiKey).toBe(1);
  });

  it('answers 503 when identity hangs, within the upstream timeout', async () => {
    const owner = member;
    const key = await createKey(owner);
    let calls = 0;
    const hang = () => {
      calls += 1;
      return new Promise<never>(() => {});
    };
    const res = await fetchWith(
      { UPSTREAM_TIMEOUT_MS: '50', IDENTITY: { verifyApiKey: hang } },
      '/api/v1/users/me',
      bearer(key.secret),
    );
    expect(res.status).toBe(503);
    expect(calls).toBe(1);
  });
});

describe('what an API key may not do', () => {
  it('manages nothing of the account, whatever its scopes, but reads the profile', async () => {
    const key = await createKey(admin, ['users:read', 'users:write']);
    expect((await request('/api/v1/users/me', apiKeyHeader(key.secret))).status).toBe(200);
    const refused: Array<[string, RequestInit]> = [
      ['/auth/logout-all', { method: 'POST' }],
      ['/auth/mfa/totp/enroll', { method: 'POST' }],
      ['/api/v1/users/me', json({ name: 'renamed' }, { method: 'PATCH' })],
      ['/api/v1/users/me', { method: 'DELETE' }],
      ['/api/v1/users/me/sessions', {}],
      [KEYS, {}],
    ];
    for (const [path, init] of refused) {
      const res = await request(path, apiKeyHeader(key.secret, init));
      expect(res.status, path).toBe(403);
      expect((await problemOf(res)).code).toBe('FORBIDDEN');
    }
    // Nothing happened: the admin's session still works.
    expect((await request('/api/v1/users/me', bearer(admin.accessToken))).status).toBe(200);
  });
});
