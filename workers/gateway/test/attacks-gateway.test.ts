// Issue 9, the gateway's part: each attack from the review, performed through the gateway, and refused.
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { FORGET_HEADER, formatForget, type Principal, type RequestMeta } from '@onasis/contracts';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.js';
import type { IdempotencyStore, StoredResponse } from '../src/durable-objects/idempotency-store.js';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { DEFAULT_POLICIES } from '../src/rate-limit/policies.js';
import { API_KEY_REFUSED_MAX_ENTRIES, apiKeyPrincipal } from '../src/services/api-keys.js';
import { idempotencyObjectName } from '../src/services/idempotency-keys.js';
import { DEFAULT_QUOTA_PLANS, parseQuotaPlans, quotaLimitOf } from '../src/services/quota-plans.js';
import { awayFromWindowEdge, fetchWith, problemOf, settleBackground } from './helpers.js';
import { bearer, json, request, type SignedIn, signedInUser } from './identity-fixtures.js';

const KEYS = '/api/v1/users/me/api-keys';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
/** The built-in rate-limit table, as a deployment without RATE_LIMIT_POLICIES has it. */
const DEFAULTS = { RATE_LIMIT_POLICIES: '' };

let ipCounter = 0;
/** A client address no other test uses, so that no two tests share a limiter key or an idempotency scope. */
const freshIp = () => {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};

interface CreatedKey {
  id: string;
  secret: string;
}

async function createKey(owner: SignedIn, scopes: string[] = []): Promise<CreatedKey> {
  const res = await request(KEYS, bearer(owner.accessToken, json({ name: 'attack key', scopes })));
  if (res.status !== 201) throw new Error(`create failed with ${res.status}: ${await res.text()}`);
  return res.json<CreatedKey>();
}

const withKey = (secret: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), 'x-api-key': secret },
});

function principalOf(user: SignedIn): Principal {
  return {
    userId: user.subject.sub,
    sessionId: user.subject.sid,
    permissions: user.subject.permissions,
    via: 'access_token',
  };
}

/** Asks identity directly, as a request through another gateway isolate would: this isolate's caches see nothing. */
function identityDirect(user: SignedIn, method: string, path: string): Promise<Response> {
  return env.IDENTITY.handle(new Request(`http://identity${path}`, { method }), {
    requestId: `req_${crypto.randomUUID().replaceAll('-', '')}`,
    traceparent: TRACEPARENT,
    principal: principalOf(user),
  }) as Promise<Response>;
}

let member: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  member = await signedInUser();
  admin = await signedInUser(['admin']);
});

beforeEach(() => {
  resetAuthCaches();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await settleBackground();
});

describe('the forget header', () => {
  /** The gateway app of this module, whose caches the forget header acts on. */
  const gateway = (path: string, init?: RequestInit) => fetchWith({}, path, init);
  /** A request another user makes to a service that answers with `value` on the forget header. */
  const tellToForget = (value: string) =>
    fetchWith({ NOTIFICATIONS: env.FAULT_FORGETS }, '/api/v1/notifications/anything', {
      method: 'POST',
      headers: { 'x-test-forget': value, authorization: `Bearer ${admin.accessToken}` },
    });

  it('drops a named session from this isolate at once', async () => {
    const user = await signedInUser();
    expect((await gateway('/api/v1/users/me', bearer(user.accessToken))).status).toBe(200);
    const revoked = await identityDirect(user, 'DELETE', `/api/v1/users/me/sessions/${user.subject.sid}`);
    expect(revoked.status).toBeLessThan(300);
    // The cached "live" answer still stands here: nothing this isolate forwarded said otherwise.
    expect((await gateway('/api/v1/users/me', bearer(user.accessToken))).status).toBe(200);
    const told = await tellToForget(formatForget({ sessions: [user.subject.sid] }));
    expect(told.status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(user.accessToken))).status).toBe(401);
  });

  it("drops a named user's sessions and API keys, and a named API key", async () => {
    const owner = await signedInUser();
    const key = await createKey(owner);
    const other = await createKey(owner);
    expect((await gateway('/api/v1/users/me', withKey(key.secret))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', withKey(other.secret))).status).toBe(200);
    expect((await identityDirect(owner, 'DELETE', `${KEYS}/${key.id}`)).status).toBe(204);
    expect((await identityDirect(owner, 'DELETE', `${KEYS}/${other.id}`)).status).toBe(204);
    expect((await gateway('/api/v1/users/me', withKey(key.secret))).status).toBe(200);

    expect((await tellToForget(formatForget({ apiKeys: [key.id] }))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', withKey(key.secret))).status).toBe(401);
    expect((await gateway('/api/v1/users/me', withKey(other.secret))).status).toBe(200);

    expect((await tellToForget(formatForget({ users: [owner.subject.sub] }))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', withKey(other.secret))).status).toBe(401);
  });

  it('never reaches a client: not on the answer, not on a replay, not from the response cache', async () => {
    const forget = formatForget({ sessions: ['ses_nothing'] });
    const gatewayEnv = { ...env, NOTIFICATIONS: env.FAULT_FORGETS, RATE_LIMIT_POLICIES: '[]' };
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const send = (path: string, init: RequestInit) =>
      Promise.resolve(app.fetch(new Request(`http://gateway${path}`, init), gatewayEnv as unknown as GatewayEnv, ctx));

    const keyed = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
        'cf-connecting-ip': freshIp(),
        'x-test-forget': forget,
        authorization: `Bearer ${member.accessToken}`,
      },
      body: '{}',
    };
    const first = await send('/api/v1/notifications/forgetful', keyed);
    const replayed = await send('/api/v1/notifications/forgetful', keyed);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const path = `/api/v1/notifications/public-${crypto.randomUUID()}`;
    const signedIn = { authorization: `Bearer ${member.accessToken}` };
    const miss = await send(path, { headers: { 'x-test-forget': forget, ...signedIn } });
    expect(miss.headers.get('x-cache')).toBe('MISS');
    // The Cache API stores in the background; the test waits until the entry is there.
    let hit = await send(path, { headers: signedIn });
    for (let i = 0; i < 20 && hit.headers.get('x-cache') !== 'HIT'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      hit = await send(path, { headers: signedIn });
    }
    expect(hit.headers.get('x-cache')).toBe('HIT');
    for (const res of [first, replayed, miss, hit]) {
      expect(res.status).toBe(200);
      expect(res.headers.get(FORGET_HEADER)).toBeNull();
    }
  });
});

describe('idempotency keys on answers that carry secrets', () => {
  function keyedCreate(owner: SignedIn, key: string, body: unknown): RequestInit {
    return bearer(owner.accessToken, json(body, { headers: { 'idempotency-key': key } }));
  }

  async function keysNamed(owner: SignedIn, name: string): Promise<number> {
    const res = await request(KEYS, bearer(owner.accessToken));
    const { data } = await res.json<{ data: Array<{ name: string }> }>();
    return data.filter((k) => k.name === name).length;
  }

  it('create one API key for two POSTs with one Idempotency-Key, and replay the first secret', async () => {
    const owner = await signedInUser();
    const key = crypto.randomUUID();
    const name = `retried-${key.slice(0, 8)}`;
    const first = await request(KEYS, keyedCreate(owner, key, { name, scopes: [] }));
    expect(first.status).toBe(201);
    const second = await request(KEYS, keyedCreate(owner, key, { name, scopes: [] }));
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [await first.json<CreatedKey>(), await second.json<CreatedKey>()];
    expect(b).toEqual(a);
    expect(await keysNamed(owner, name)).toBe(1);
  });

  it('answer 422 to the same key with another body, and create nothing', async () => {
    const owner = await signedInUser();
    const key = crypto.randomUUID();
    const name = `first-${key.slice(0, 8)}`;
    expect((await request(KEYS, keyedCreate(owner, key, { name, scopes: [] }))).status).toBe(201);
    const other = await request(KEYS, keyedCreate(owner, key, { name: `${name}-other`, scopes: [] }));
    expect(other.status).toBe(422);
    expect((await problemOf(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await keysNamed(owner, `${name}-other`)).toBe(0);
  });

  it('keep the answer sealed: the store holds no readable secret', async () => {
    const owner = await signedInUser();
    const key = crypto.randomUUID();
    const created = await (
      await request(KEYS, keyedCreate(owner, key, { name: 'sealed', scopes: [] }))
    ).json<CreatedKey>();
    const name = idempotencyObjectName(`user:${owner.subject.sub}`, key);
    const stub = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(name));
    const record = await runInDurableObject(stub, (_: IdempotencyStore, state: DurableObjectState) =>
      state.storage.kv.get<{ state: string; response: StoredResponse }>('record'),
    );
    expect(record?.state).toBe('done');
    expect(record?.response.sealed).toBe(true);
    expect(record?.response.headers).toEqual({});
    const stored = new TextDecoder('latin1').decode(record?.response.body);
    expect(stored).not.toContain(created.secret);
    expect(stored).not.toContain(created.secret.slice(-20));
  });

  it('replay a Set-Cookie answer with its cookies, without calling the service again', async () => {
    let calls = 0;
    const identity = {
      handle: async (req: Request) => {
        calls += 1;
        await req.text();
        const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
        headers.append('set-cookie', '__Host-onasis_at=at-secret; Path=/; Secure; HttpOnly');
        headers.append('set-cookie', '__Host-onasis_rt=rt-secret; Path=/; Secure; HttpOnly');
        return new Response(JSON.stringify({ accessToken: 'at-secret' }), { status: 200, headers });
      },
    };
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
        'cf-connecting-ip': freshIp(),
      },
      body: JSON.stringify({ email: 'someone@example.com', password: 'pw' }),
    };
    const first = await fetchWith({ IDENTITY: identity, RATE_LIMIT_POLICIES: '[]' }, '/auth/login', init);
    const again = await fetchWith({ IDENTITY: identity, RATE_LIMIT_POLICIES: '[]' }, '/auth/login', init);
    expect(calls).toBe(1);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.getSetCookie()).toEqual(first.headers.getSetCookie());
    expect(again.headers.getSetCookie()).toHaveLength(2);
    expect(await again.json()).toEqual({ accessToken: 'at-secret' });
  });

  it('refuse a replay that cannot be opened (the secret changed) rather than run the request again', async () => {
    let calls = 0;
    const identity = {
      handle: async (req: Request) => {
        calls += 1;
        await req.text();
        return Response.json({ secret: 'once' }, { status: 201, headers: { 'cache-control': 'no-store' } });
      },
    };
    const init = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
        'cf-connecting-ip': freshIp(),
      },
      body: '{}',
    };
    expect((await fetchWith({ IDENTITY: identity, RATE_LIMIT_POLICIES: '[]' }, '/auth/register', init)).status).toBe(
      201,
    );
    const rotated = await fetchWith(
      {
        IDENTITY: identity,
        RATE_LIMIT_POLICIES: '[]',
        IDEMPOTENCY_SEALING_KEY: 'another-sealing-key-of-32-characters',
      },
      '/auth/register',
      init,
    );
    expect(rotated.status).toBe(409);
    expect((await problemOf(rotated)).code).toBe('CONFLICT');
    expect(calls).toBe(1);
  });

  it('refuse keyed requests outside local development while no sealing key is set', async () => {
    let calls = 0;
    const identity = {
      handle: async () => {
        calls += 1;
        return Response.json({});
      },
    };
    const res = await fetchWith(
      { IDENTITY: identity, RATE_LIMIT_POLICIES: '[]', IDEMPOTENCY_SEALING_KEY: '', ENVIRONMENT: 'production' },
      '/auth/register',
      { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: '{}' },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(calls).toBe(0);
  });
});

describe('API keys reach only what their scopes name', () => {
  it('a key with no scopes reads whom it belongs to and nothing else signed-in', async () => {
    const key = await createKey(member, []);
    expect((await request('/api/v1/users/me', withKey(key.secret))).status).toBe(200);
    const refused: Array<[string, RequestInit]> = [
      ['/api/v1/users/me/export', {}],
      ['/api/v1/users/me/sessions', {}],
      ['/api/v1/notifications', {}],
      ['/api/v1/notifications/unread-count', {}],
      ['/api/v1/notifications/push-targets', {}],
      ['/api/v1/notifications/push-targets', json({ kind: 'web', token: 'x' })],
      ['/api/v1/notifications/phone', {}],
      ['/api/v1/notifications/phone', json({ phone: '+15555550100' }, { method: 'PUT' })],
      ['/api/v1/notifications/preferences', {}],
      ['/auth/verify-email/resend', { method: 'POST' }],
      [KEYS, {}],
    ];
    for (const [path, init] of refused) {
      const res = await request(path, withKey(key.secret, init));
      expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(403);
      expect((await problemOf(res)).code).toBe('FORBIDDEN');
    }
  });

  it('a scoped key reaches the routes of its scopes, still none of the signed-in ones', async () => {
    const key = await createKey(admin, ['users:read']);
    expect((await request('/api/v1/users', withKey(key.secret))).status).toBe(200);
    expect((await request('/api/v1/roles', withKey(key.secret))).status).toBe(403);
    expect((await request('/api/v1/notifications', withKey(key.secret))).status).toBe(403);
    // The same routes stay open to the user's own session.
    expect((await request('/api/v1/notifications', bearer(admin.accessToken))).status).toBe(200);
  });
});

describe('rate limits on the routes that send mail or SMS, or check a secret', () => {
  /** Each limited route, how a caller reaches it, and the policy that must answer. */
  const cases: Array<{ policy: string; method: string; path: string; signedIn: boolean; body?: unknown }> = [
    { policy: 'verify-email', method: 'POST', path: '/auth/verify-email', signedIn: false, body: { token: 'x' } },
    { policy: 'verify-email-resend', method: 'POST', path: '/auth/verify-email/resend', signedIn: true, body: {} },
    { policy: 'password-reset', method: 'POST', path: '/auth/password/reset', signedIn: false, body: { token: 'x' } },
    { policy: 'mfa-verify', method: 'POST', path: '/auth/mfa/verify', signedIn: false, body: { mfaToken: 'x' } },
    { policy: 'mfa', method: 'POST', path: '/auth/mfa/totp/confirm', signedIn: true, body: { code: '000000' } },
    { policy: 'mfa', method: 'POST', path: '/auth/mfa/totp/disable', signedIn: true, body: { code: '000000' } },
    { policy: 'mfa', method: 'POST', path: '/auth/mfa/recovery-codes', signedIn: true, body: {} },
    { policy: 'oauth', method: 'GET', path: '/auth/oauth/nope/authorize', signedIn: false },
    { policy: 'oauth', method: 'GET', path: '/auth/oauth/nope/callback', signedIn: false },
    { policy: 'profile-update', method: 'PATCH', path: '/api/v1/users/me', signedIn: true, body: {} },
    { policy: 'phone', method: 'PUT', path: '/api/v1/notifications/phone', signedIn: true, body: { phone: 'x' } },
    { policy: 'phone-verify', method: 'POST', path: '/api/v1/notifications/phone/verify', signedIn: true, body: {} },
  ];

  for (const { policy: id, method, path, signedIn, body } of cases) {
    it(`limits ${method} ${path} (${id})`, async () => {
      const policy = DEFAULT_POLICIES.find((p) => p.id === id);
      if (policy === undefined) throw new Error(`no policy ${id}`);
      expect(policy.failMode).toBe('closed');
      await awayFromWindowEdge(policy.windowSeconds * 1000);
      const user = signedIn ? await signedInUser() : undefined;
      const ip = freshIp();
      const send = (from: string) => {
        const headers: Record<string, string> = { 'cf-connecting-ip': from };
        if (user) headers.authorization = `Bearer ${user.accessToken}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        return fetchWith(DEFAULTS, path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      };
      for (let i = 0; i < policy.limit; i++) {
        const res = await send(ip);
        expect(res.headers.get('ratelimit-policy')).toContain(`"${id}"`);
        expect(res.status === 429 && res.headers.get('ratelimit')?.includes(';r=0') === true).toBe(false);
      }
      // Signed in, the budget is the user's: a new address does not get a new one.
      const over = await send(user ? freshIp() : ip);
      expect(over.status).toBe(429);
      expect((await problemOf(over)).code).toBe('RATE_LIMITED');
      expect(over.headers.get('ratelimit-policy')).toContain(`"${id}"`);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  }

  it('refuses mail and SMS routes while the limiter cannot be reached', async () => {
    const broken = { getByName: () => ({ take: () => Promise.reject(new Error('limiter down')) }) };
    const user = await signedInUser();
    for (const [method, path] of [
      ['POST', '/auth/verify-email/resend'],
      ['PUT', '/api/v1/notifications/phone'],
      ['PATCH', '/api/v1/users/me'],
    ] as const) {
      const res = await fetchWith({ ...DEFAULTS, RATE_LIMITER: broken }, path, {
        method,
        headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status, path).toBe(503);
    }
  });
});

describe('unauthenticated load on identity', () => {
  function countingIdentity() {
    const calls = { verifyApiKey: 0 };
    const binding = {
      verifyApiKey: (key: string) => {
        calls.verifyApiKey += 1;
        return env.IDENTITY.verifyApiKey(key);
      },
      sessionStatus: (userId: string, sessionId: string) => env.IDENTITY.sessionStatus(userId, sessionId),
      jwks: () => env.IDENTITY.jwks(),
      handle: (req: Request, meta: RequestMeta) => env.IDENTITY.handle(req, meta),
    };
    return { calls, binding };
  }

  const inventedKey = () => `onk_${crypto.randomUUID().slice(0, 8)}_${'A'.repeat(43)}`;

  it('stops checking credentials from a source after 20 failures, without asking identity', async () => {
    const policy = DEFAULT_POLICIES.find((p) => p.id === 'credential-failures');
    expect(policy).toMatchObject({ limit: 20, key: 'ip' });
    await awayFromWindowEdge(300_000);
    const { calls, binding } = countingIdentity();
    const ip = freshIp();
    const send = (key: string, from = ip) =>
      fetchWith(
        { ...DEFAULTS, IDENTITY: binding },
        '/api/v1/users/me',
        withKey(key, { headers: { 'cf-connecting-ip': from } }),
      );
    // A real key used from that address before the flood stays usable: its answer is known without a check.
    const good = await createKey(member);
    expect((await send(good.secret)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await send(inventedKey())).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    // One check per failure up to the limit (and the one that found it), then none.
    expect(calls.verifyApiKey).toBeLessThanOrEqual(22);
    const before = calls.verifyApiKey;
    const blocked = await send(inventedKey());
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
    expect(blocked.headers.get('ratelimit-policy')).toContain('"credential-failures"');
    expect(calls.verifyApiKey).toBe(before);
    expect((await send(good.secret)).status).toBe(200);
    // Another address is judged on its own.
    expect((await send(inventedKey(), freshIp())).status).toBe(401);
  });

  it('counts an IPv6 /64 as one source', async () => {
    await awayFromWindowEdge(300_000);
    const { binding } = countingIdentity();
    ipCounter += 1;
    const prefix = `2001:db8:${ipCounter.toString(16)}:1`;
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await fetchWith(
        { ...DEFAULTS, IDENTITY: binding },
        '/api/v1/users/me',
        withKey(inventedKey(), { headers: { 'cf-connecting-ip': `${prefix}::${(i + 1).toString(16)}` } }),
      );
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('keeps invented API keys from evicting the answer for a real one', async () => {
    let asked = 0;
    const real = `onk_realreal_${'B'.repeat(43)}`;
    const principal = { userId: 'usr_real', keyId: 'key_real', scopes: [], plan: 'free' };
    const fakeEnv = {
      UPSTREAM_TIMEOUT_MS: '1000',
      IDENTITY: {
        verifyApiKey: async (key: string) => {
          asked += 1;
          return key === real ? { ok: true, data: principal } : { ok: false, error: { code: 'UNAUTHENTICATED' } };
        },
      },
    } as unknown as GatewayEnv;
    const now = Date.now();
    expect(await apiKeyPrincipal(fakeEnv, real, now)).toMatchObject({ userId: 'usr_real' });
    for (let i = 0; i <= API_KEY_REFUSED_MAX_ENTRIES; i++) {
      await apiKeyPrincipal(fakeEnv, `onk_${i.toString(36).padStart(8, '0')}_${'C'.repeat(43)}`, now);
    }
    asked = 0;
    // Answered from the cache: not a promise, and identity not asked.
    const again = apiKeyPrincipal(fakeEnv, real, now);
    expect(again).toMatchObject({ userId: 'usr_real' });
    expect(asked).toBe(0);
  });

  it('answers anonymous /health with the overall status only, and the detail with the metrics token', async () => {
    const anonymous = await fetchWith({ METRICS_TOKEN: 'metrics-secret' }, '/health');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    const operator = await fetchWith({ METRICS_TOKEN: 'metrics-secret' }, '/health', bearer('metrics-secret'));
    const detail = await operator.json<{ services: Record<string, string>; breakers: Record<string, string> }>();
    expect(detail.services.identity).toBe('ok');
    expect(detail.breakers.identity).toBe('closed');
    // Elsewhere than local, no token means no detail for anyone.
    const staging = await fetchWith({ METRICS_TOKEN: '', ENVIRONMENT: 'staging' }, '/health');
    expect(await staging.json()).toEqual({ status: 'ok' });
  });

  it('answers /health from a check a few seconds old, however many callers ask', async () => {
    const flaky = (
      env as unknown as {
        FAULT_FLAKY: Service & { configure(m: string): Promise<void>; calls(): Promise<{ health: number }> };
      }
    ).FAULT_FLAKY;
    await flaky.configure('ok');
    const gatewayEnv = { ...env, PAYMENTS: flaky } as unknown as GatewayEnv;
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        Promise.resolve(app.fetch(new Request('http://gateway/health'), gatewayEnv, ctx)),
      ),
    );
    for (let i = 0; i < 5; i++) answers.push(await app.fetch(new Request('http://gateway/health'), gatewayEnv, ctx));
    expect(answers.map((r) => r.status)).toEqual(Array(15).fill(200));
    expect((await flaky.calls()).health).toBe(1);
  });

  it('limits /health per address', async () => {
    const policy = DEFAULT_POLICIES.find((p) => p.id === 'health');
    if (policy === undefined) throw new Error('no health policy');
    await awayFromWindowEdge(policy.windowSeconds * 1000);
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i <= policy.limit; i++)
      statuses.push((await fetchWith(DEFAULTS, '/health', { headers: { 'cf-connecting-ip': ip } })).status);
    expect(statuses.slice(0, policy.limit)).toEqual(Array(policy.limit).fill(200));
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('oversized streamed bodies', () => {
  /** A chunked body of `total` bytes; `sent.done` says whether the sender got to write all of it. */
  function chunkedBody(total: number, chunkSize = 64 * 1024) {
    const chunk = new Uint8Array(chunkSize).fill(0x20);
    const sent = { bytes: 0, done: false };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent.bytes >= total) {
          sent.done = true;
          return controller.close();
        }
        sent.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return { body, sent };
  }

  it('always end as 413 problem+json with X-Request-Id, with the sender never cut off mid-write', async () => {
    // The race: answering 413 while the sender (a client, or wrangler's proxy in front of the Worker) is still
    // writing aborts its pipe, and now and then the sender fails before the answer arrives (a plain-text 500). The
    // guard drains the body before answering, so every sender finishes writing first.
    const outcomes = new Map<string, number>();
    const tries = 200;
    for (let i = 0; i < tries; i++) {
      const { body, sent } = chunkedBody(2 * 1024 * 1024);
      const res = await exports.default.fetch('http://gateway/api/v1/roles/editor', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
        body,
        // @ts-expect-error duplex is required for streaming request bodies but missing from the type.
        duplex: 'half',
      });
      const outcome = `${res.status} ${res.headers.get('content-type')} ${res.headers.has('x-request-id')} ${sent.done}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      await res.arrayBuffer();
    }
    expect([...outcomes]).toEqual([['413 application/problem+json true true', tries]]);
  }, 120_000);

  it('end as 413 on an upload route too, whatever the service made of the failed stream', async () => {
    const res = await fetchWith({ FILES: env.FAULT_ECHO, MAX_UPLOAD_BYTES: '100000' }, '/api/v1/files/x', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${member.accessToken}` },
      body: chunkedBody(300_000, 16 * 1024).body,
      // @ts-expect-error duplex is required for streaming request bodies but missing from the type.
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('refused uploads', () => {
  it('are read off before the refusal goes out, so the sender is never cut off mid-write', async () => {
    // An upload refused before it reaches the service (here 401, no credentials) raced its sender the way an
    // oversized body did: e2e saw the socket closed under a 2 MB upload.
    const chunk = new Uint8Array(64 * 1024);
    const sent = { bytes: 0, done: false };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent.bytes >= 2 * 1024 * 1024) {
          sent.done = true;
          return controller.close();
        }
        sent.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await exports.default.fetch('http://gateway/api/v1/uploads/x', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      // @ts-expect-error duplex is required for streaming request bodies but missing from the type.
      duplex: 'half',
    });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
    expect(sent.done).toBe(true);
  });
});

describe('the local admin', () => {
  it('is on a plan without a monthly quota, in the shipped table and the built-in one', async () => {
    // QUOTA_PLANS as the root wrangler.toml sets it (the test config loads its vars).
    const plans = parseQuotaPlans(env.QUOTA_PLANS);
    expect(quotaLimitOf(plans, 'unlimited')).toBeNull();
    expect(quotaLimitOf(DEFAULT_QUOTA_PLANS, 'unlimited')).toBeNull();
    const user = await signedInUser(['admin']);
    await env.IDENTITY_DB.prepare("UPDATE users SET plan = 'unlimited' WHERE id = ?").bind(user.subject.sub).run();
    const key = await createKey(user, ['users:read']);
    const res = await request('/api/v1/users', withKey(key.secret));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quota-limit')).toBeNull();
  });
});
