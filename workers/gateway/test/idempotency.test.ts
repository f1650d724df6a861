import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { RequestMeta } from '@onasis/contracts';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS } from '../src/durable-objects/idempotency-store.js';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { MAX_STORED_RESPONSE_BYTES } from '../src/services/idempotency-capture.js';
import { idempotencyObjectName } from '../src/services/idempotency-keys.js';
import { problemOf, fetchWith as runGateway, settleBackground } from './helpers.js';
import { advanceClock, bearer, type SignedIn, signedInUser } from './identity-fixtures.js';

/** The gateway with rate limits off: these tests send bursts from one address on purpose. */
const fetchWith = (overrides: Record<string, unknown>, path: string, init?: RequestInit) =>
  runGateway({ RATE_LIMIT_POLICIES: '[]', ...overrides }, path, init);

type Handle = (req: Request, meta: RequestMeta) => Promise<Response>;

/**
 * The real identity binding behind a wrapper that counts the requests handed to it. `gate`, when given, holds each
 * request at the door until it settles, so a test decides exactly when the first of two requests finishes.
 */
function countingIdentity(options: { gate?: Promise<void>; handle?: Handle } = {}) {
  const calls = { handle: 0 };
  const forward: Handle = options.handle ?? ((req, meta) => env.IDENTITY.handle(req, meta) as Promise<Response>);
  const binding = {
    jwks: () => env.IDENTITY.jwks(),
    sessionStatus: (userId: string, sessionId: string) => env.IDENTITY.sessionStatus(userId, sessionId),
    handle: async (req: Request, meta: RequestMeta): Promise<Response> => {
      calls.handle += 1;
      if (options.gate) await options.gate;
      return forward(req, meta);
    },
  };
  const fetch = (path: string, init?: RequestInit) => fetchWith({ IDENTITY: binding }, path, init);
  return { calls, fetch, binding };
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

let ipCounter = 0;
/** A client address no other test uses, so that anonymous keys never collide across tests. */
const freshIp = () => `198.51.100.${++ipCounter}`;

/** A registration request from `ip` under `key`. */
function register(ip: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'idempotency-key': key, ...headers },
    body: JSON.stringify(body),
  } satisfies RequestInit;
}

type Account = { email: string; password: string; name?: string };

const newAccount = (): Account => ({
  email: `idem-${crypto.randomUUID().slice(0, 8)}@example.com`,
  password: `Idem-${crypto.randomUUID()}`,
});

async function usersWithEmail(email: string): Promise<number> {
  const row = await env.IDENTITY_DB.prepare('SELECT COUNT(*) AS n FROM users WHERE email = ?')
    .bind(email)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

function storeOf(scope: string, key: string) {
  return env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(idempotencyObjectName(scope, key)));
}

/**
 * Identity's answer to a registration that runs (the same for new and already registered addresses, so that it
 * tells nobody which emails exist); asked once, so these tests follow identity's contract rather than restate it.
 */
let registered: number;

beforeAll(async () => {
  const res = await env.IDENTITY.handle(
    new Request('http://identity/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(newAccount()),
    }),
    { requestId: 'req_idempotency_probe', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  );
  registered = res.status;
  expect(registered).toBeLessThan(300);
});

beforeEach(() => {
  resetAuthCaches();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await settleBackground();
});

describe('replay', () => {
  it('answers a retry with the stored response and never calls the service again', async () => {
    const identity = countingIdentity();
    const ip = freshIp();
    const account = newAccount();
    const key = crypto.randomUUID();

    const first = await identity.fetch('/auth/register', register(ip, key, account));
    expect(first.status).toBe(registered);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.text();

    const second = await identity.fetch('/auth/register', register(ip, key, account));
    expect(second.status).toBe(registered);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await second.text()).toBe(firstBody);
    // The replay carries its own request id, not the first request's.
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));

    expect(identity.calls.handle).toBe(1);
    expect(await usersWithEmail(account.email)).toBe(1);
  });

  it('forwards the buffered body intact, and without a key a repeat does run again', async () => {
    const identity = countingIdentity();
    const ip = freshIp();
    const account = newAccount();
    const { 'idempotency-key': _, ...noKey } = register(ip, 'unused', account).headers;
    const first = await identity.fetch('/auth/register', { ...register(ip, 'unused', account), headers: noKey });
    expect(first.status).toBe(registered);
    expect((await first.json<{ email: string }>()).email).toBe(account.email);
    const second = await identity.fetch('/auth/register', { ...register(ip, 'unused', account), headers: noKey });
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(identity.calls.handle).toBe(2);
  });

  it('stores client errors (4xx) from the service and replays them too', async () => {
    const identity = countingIdentity();
    const ip = freshIp();
    const key = crypto.randomUUID();
    const bad = { email: 'not-an-email', password: 'x' };
    const first = await identity.fetch('/auth/register', register(ip, key, bad));
    expect(first.status).toBe(400);
    const second = await identity.fetch('/auth/register', register(ip, key, bad));
    expect(second.status).toBe(400);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(identity.calls.handle).toBe(1);
  });

  it('ignores keys on GET, which repeats harmlessly', async () => {
    const member = await signedInUser();
    const identity = countingIdentity();
    for (let i = 0; i < 2; i++) {
      const res = await identity.fetch(
        '/api/v1/users/me',
        bearer(member.accessToken, { headers: { 'idempotency-key': 'same' } }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(identity.calls.handle).toBe(2);
  });
});

describe('conflicts', () => {
  it('answers a duplicate that arrives while the first still runs with 409, then replays once it is done', async () => {
    const held = gate();
    const identity = countingIdentity({ gate: held.promise });
    const ip = freshIp();
    const account = newAccount();
    const key = crypto.randomUUID();

    const first = identity.fetch('/auth/register', register(ip, key, account));
    await vi.waitFor(() => expect(identity.calls.handle).toBe(1));

    const duplicate = await identity.fetch('/auth/register', register(ip, key, account));
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect((await problemOf(duplicate)).code).toBe('IDEMPOTENCY_KEY_IN_USE');

    held.open();
    expect((await first).status).toBe(registered);
    const retry = await identity.fetch('/auth/register', register(ip, key, account));
    expect(retry.status).toBe(registered);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(identity.calls.handle).toBe(1);
  });

  it('lets exactly one of many parallel duplicates run', async () => {
    const held = gate();
    const identity = countingIdentity({ gate: held.promise });
    const ip = freshIp();
    const account = newAccount();
    const key = crypto.randomUUID();
    const all = Array.from({ length: 8 }, () => identity.fetch('/auth/register', register(ip, key, account)));
    await vi.waitFor(() => expect(identity.calls.handle).toBe(1));
    held.open();
    const statuses = (await Promise.all(all)).map((r) => r.status).sort();
    expect(statuses).toEqual([registered, 409, 409, 409, 409, 409, 409, 409]);
    expect(identity.calls.handle).toBe(1);
    expect(await usersWithEmail(account.email)).toBe(1);
  });

  it.each([
    ['another body', '/auth/register', (a: Account) => ({ ...a, name: 'Someone Else' })],
    ['another path', '/auth/password/forgot', (a: Account) => a],
    ['another query', '/auth/register?x=1', (a: Account) => a],
  ])('answers the same key with %s with 422', async (_name, path, change) => {
    const identity = countingIdentity();
    const ip = freshIp();
    const account = newAccount();
    const key = crypto.randomUUID();
    expect((await identity.fetch('/auth/register', register(ip, key, account))).status).toBe(registered);
    const reused = await identity.fetch(path, register(ip, key, change(account)));
    expect(reused.status).toBe(422);
    expect((await problemOf(reused)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(identity.calls.handle).toBe(1);
  });
});

describe('scope', () => {
  it('keeps the same key of two users apart', async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const identity = countingIdentity();
    const patch = (who: SignedIn) =>
      identity.fetch(
        '/api/v1/users/me',
        bearer(who.accessToken, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'shared-key' },
          body: JSON.stringify({ name: 'Same Name' }),
        }),
      );
    const a = await patch(alice);
    const b = await patch(bob);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect((await a.json<{ id: string }>()).id).toBe(alice.user.id);
    expect((await b.json<{ id: string }>()).id).toBe(bob.user.id);
    expect(identity.calls.handle).toBe(2);

    const again = await patch(alice);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(identity.calls.handle).toBe(2);
  });

  it('keeps anonymous keys of two client addresses apart', async () => {
    const identity = countingIdentity();
    const key = crypto.randomUUID();
    const [one, two] = [newAccount(), newAccount()];
    expect((await identity.fetch('/auth/register', register(freshIp(), key, one))).status).toBe(registered);
    // The same key with another body from another address is a new request, not a reuse.
    expect((await identity.fetch('/auth/register', register(freshIp(), key, two))).status).toBe(registered);
    expect(identity.calls.handle).toBe(2);
  });
});

describe('store unreachable', () => {
  it('refuses with 503 rather than run a request it cannot protect', async () => {
    const identity = countingIdentity();
    const broken = {
      idFromName: (name: string) => env.IDEMPOTENCY.idFromName(name),
      get: () => ({ begin: () => Promise.reject(new Error('Durable Object unavailable')) }),
    };
    const res = await runGateway(
      { IDENTITY: identity.binding, IDEMPOTENCY: broken, RATE_LIMIT_POLICIES: '[]' },
      '/auth/register',
      register(freshIp(), crypto.randomUUID(), newAccount()),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    expect(identity.calls.handle).toBe(0);
  });
});

describe('invalid keys', () => {
  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a control character', 'a\tb'],
    ['non-ASCII', 'caf\u00e9'],
  ])('answers a key that is %s with 400 before anything runs', async (_name, key) => {
    const identity = countingIdentity();
    const res = await identity.fetch('/auth/register', register(freshIp(), key, newAccount()));
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    expect(identity.calls.handle).toBe(0);
  });

  it('takes a key of 255 printable characters', async () => {
    const res = await fetchWith({}, '/auth/register', register(freshIp(), `~ ${'k'.repeat(253)}`, newAccount()));
    expect(res.status).toBe(registered);
  });
});

describe('expiry', () => {
  it('keeps a response 24 hours: the alarm is set then and deletes the record', async () => {
    const ip = freshIp();
    const key = crypto.randomUUID();
    const account = newAccount();
    const before = Date.now();
    expect((await fetchWith({}, '/auth/register', register(ip, key, account))).status).toBe(registered);
    const after = Date.now();

    const store = storeOf(`anon:${ip}`, key);
    const alarm = await runInDurableObject(store, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(before + IDEMPOTENCY_TTL_MS);
    expect(alarm).toBeLessThanOrEqual(after + IDEMPOTENCY_TTL_MS);
    expect((await fetchWith({}, '/auth/register', register(ip, key, account))).headers.get('idempotent-replayed')).toBe(
      'true',
    );

    expect(await runDurableObjectAlarm(store)).toBe(true);
    // The key is free again: the request reaches identity once more.
    const identity = countingIdentity();
    const rerun = await identity.fetch('/auth/register', register(ip, key, account));
    expect(rerun.headers.get('idempotent-replayed')).toBeNull();
    expect(identity.calls.handle).toBe(1);
  });

  it('treats a record past its 24 hours as gone even before the alarm has run', async () => {
    const identity = countingIdentity();
    const ip = freshIp();
    const key = crypto.randomUUID();
    const account = newAccount();
    expect((await identity.fetch('/auth/register', register(ip, key, account))).status).toBe(registered);
    advanceClock(IDEMPOTENCY_TTL_MS + 1000);
    const later = await identity.fetch('/auth/register', register(ip, key, account));
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(identity.calls.handle).toBe(2);
  });

  it('frees the key of a request that never finished once its lease is over', async () => {
    const stuck = gate();
    const identity = countingIdentity({ gate: stuck.promise });
    const ip = freshIp();
    const key = crypto.randomUUID();
    const account = newAccount();
    const abandoned = identity.fetch('/auth/register', register(ip, key, account));
    await vi.waitFor(() => expect(identity.calls.handle).toBe(1));

    // As if the first request's isolate had died and the lease had run out since.
    advanceClock(IDEMPOTENCY_LEASE_MS + 1000);
    const free = countingIdentity();
    const retry = await free.fetch('/auth/register', register(ip, key, account));
    expect(retry.status).toBe(registered);
    expect(free.calls.handle).toBe(1);

    // The late first request finds its lease taken and leaves the newer record alone.
    stuck.open();
    // Identity's own answer to the late request, which the store did not keep.
    expect((await abandoned).headers.get('idempotent-replayed')).toBeNull();
    const replay = await free.fetch('/auth/register', register(ip, key, account));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json<{ email: string }>()).toMatchObject({ email: account.email });
  });
});

describe('what is not kept', () => {
  it('releases the key after a 5xx so that a retry runs again', async () => {
    const ip = freshIp();
    const key = crypto.randomUUID();
    const account = newAccount();
    const failed = await fetchWith({ IDENTITY: env.FAULT_DEGRADED }, '/auth/register', register(ip, key, account));
    expect(failed.status).toBe(500);
    const retry = await fetchWith({}, '/auth/register', register(ip, key, account));
    expect(retry.status).toBe(registered);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('releases the key after the service failed to answer (502)', async () => {
    // Bodiless: a request body streamed to an entrypoint that throws without reading it leaves workerd reporting a
    // hung stream, whatever the gateway does.
    const init = { method: 'POST', headers: { 'cf-connecting-ip': freshIp(), 'idempotency-key': crypto.randomUUID() } };
    const failed = await fetchWith({ IDENTITY: env.FAULT_THROWS }, '/auth/password/forgot', init);
    expect(failed.status).toBe(502);
    // Identity's own answer to the empty body: the retry ran rather than replaying the failure.
    const retry = await fetchWith({}, '/auth/password/forgot', init);
    expect(retry.status).toBe(400);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('passes a response over the size limit through whole, and runs a retry again', async () => {
    const big = 'x'.repeat(MAX_STORED_RESPONSE_BYTES + 1000);
    const identity = countingIdentity({
      handle: async () =>
        new Response(
          new ReadableStream({
            start(controller) {
              // Streamed in pieces and without Content-Length, so the cap is found while reading.
              for (let i = 0; i < big.length; i += 16 * 1024)
                controller.enqueue(new TextEncoder().encode(big.slice(i, i + 16 * 1024)));
              controller.close();
            },
          }),
          { status: 201, headers: { 'content-type': 'application/json' } },
        ),
    });
    const ip = freshIp();
    const key = crypto.randomUUID();
    const account = newAccount();
    const first = await identity.fetch('/auth/register', register(ip, key, account));
    expect(first.status).toBe(201);
    expect(await first.text()).toBe(big);
    const second = await identity.fetch('/auth/register', register(ip, key, account));
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await second.text()).toBe(big);
    expect(identity.calls.handle).toBe(2);
  });

  it('keeps responses that carry credentials (no-store, Set-Cookie) sealed, and replays them', async () => {
    const credentialHeaders: Record<string, string>[] = [
      { 'cache-control': 'no-store' },
      { 'set-cookie': 'sid=secret; HttpOnly' },
    ];
    for (const headers of credentialHeaders) {
      const identity = countingIdentity({
        handle: async () => Response.json({ secret: 'token' }, { status: 200, headers }),
      });
      const ip = freshIp();
      const key = crypto.randomUUID();
      await identity.fetch('/auth/login', register(ip, key, { email: 'a@example.com', password: 'p' }));
      const again = await identity.fetch('/auth/login', register(ip, key, { email: 'a@example.com', password: 'p' }));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual({ secret: 'token' });
      expect(identity.calls.handle).toBe(1);
      const stored = await runInDurableObject(storeOf(`anon:${ip}`, key), (_, state: DurableObjectState) =>
        state.storage.kv.get<{ response: { sealed?: boolean; body: ArrayBuffer } }>('record'),
      );
      expect(stored?.response.sealed).toBe(true);
      expect(new TextDecoder().decode(stored?.response.body)).not.toContain('token');
    }
  });
});
