import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../src/durable-objects/rate-limiter.js';
import { decide, type LimiterState, type LimitRule } from '../src/rate-limit/algorithms.js';
import {
  clientAddress,
  DEFAULT_POLICIES,
  matchPolicy,
  type PolicyConfig,
  parsePolicies,
} from '../src/rate-limit/policies.js';
import { awayFromWindowEdge, fetchWith, problemOf } from './helpers.js';
import { bearer, signedInUser } from './identity-fixtures.js';

/** A distinct client address per call, so that no two tests share a limiter key. */
let ipCounter = 0;
const freshIp = () => {
  ipCounter += 1;
  return `203.0.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};

/** The built-in table, as a deployment without RATE_LIMIT_POLICIES has it (the test config turns limits off). */
const DEFAULTS = { RATE_LIMIT_POLICIES: '' };

function post(path: string, ip: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return fetchWith(DEFAULTS, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(ip ? { 'cf-connecting-ip': ip } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

const register = (ip: string | undefined, headers: Record<string, string> = {}) =>
  post('/auth/register', ip, {}, headers);

describe('algorithms (injected clock)', () => {
  const window: LimitRule = { algorithm: 'sliding_window', limit: 10, windowMs: 60_000, refillRate: 10 };

  function run(rule: LimitRule, times: number[]) {
    let state: LimiterState | undefined;
    return times.map((t) => {
      const { decision, next } = decide(rule, state, t);
      if (next) state = next;
      return decision;
    });
  }

  it('sliding window weighs the previous window by the share still covered, as Upstash does', () => {
    // Ten hits fill window 0; 15 s into window 1 the previous window still weighs floor(0.75 × 10) = 7.
    const start = 600_000 * 1000;
    const hits = run(window, [...Array.from({ length: 11 }, (_, i) => start + i), ...Array(4).fill(start + 75_000)]);
    expect(hits.slice(0, 10).every((d) => d.allowed)).toBe(true);
    expect(hits[9]?.remaining).toBe(0);
    expect(hits[10]?.allowed).toBe(false);
    expect(hits.slice(11).map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(hits[11]?.remaining).toBe(2);
    expect(hits[11]?.resetMs).toBe(start + 120_000);
  });

  it('sliding window tells the earliest instant a refused hit would pass', () => {
    const start = 600_000 * 1000;
    const hits = run(window, [...Array(10).fill(start), start + 30_000]);
    const refused = hits[10];
    expect(refused?.allowed).toBe(false);
    // Window 0 is full; in window 1 its 10 hits weigh floor((1 - p) × 10) < 10 as soon as p > 0, 1 ms in.
    expect(refused?.retryAtMs).toBe(start + 60_001);
    const edge = run(window, [...Array(10).fill(start), start + 60_000, start + 60_001]);
    expect(edge.slice(10).map((d) => d.allowed)).toEqual([false, true]);

    // Halfway through window 1 the previous window weighs 5, so 5 more pass; the next one once the weight drops to 4.
    const half = start + 90_000;
    const mid = run(window, [...Array(10).fill(start), ...Array(6).fill(half)]);
    expect(mid.slice(10).map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(mid[15]?.retryAtMs).toBe(half + 1);
    const after = run(window, [...Array(10).fill(start), ...Array(6).fill(half), half + 1]);
    expect(after[16]?.allowed).toBe(true);
  });

  it('token bucket refills refillRate tokens per interval up to its size', () => {
    const bucket: LimitRule = { algorithm: 'token_bucket', limit: 5, windowMs: 1000, refillRate: 2 };
    const t0 = 1_000_000;
    const hits = run(bucket, [t0, t0, t0, t0, t0, t0, t0 + 999, t0 + 1000, t0 + 1000, t0 + 1000, t0 + 60_000]);
    expect(hits.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, true, true, false, true]);
    expect(hits[5]?.retryAtMs).toBe(t0 + 1000);
    // After a long pause the bucket is full again, never fuller.
    expect(hits[10]?.remaining).toBe(4);
  });

  it('a refused hit leaves the state as it was', () => {
    const state: LimiterState = { algorithm: 'sliding_window', a: 0, b: 10, c: 0, expiresAt: 120_000 };
    expect(decide(window, state, 30_000).next).toBeUndefined();
  });
});

describe('policies', () => {
  it('matches the built-in table by method and path', () => {
    const table = parsePolicies('');
    expect(matchPolicy(table, 'POST', '/auth/login')?.id).toBe('login');
    expect(matchPolicy(table, 'GET', '/auth/login')).toBeUndefined();
    expect(matchPolicy(table, 'POST', '/auth/login/x')).toBeUndefined();
    expect(matchPolicy(table, 'DELETE', '/api/v1/users/me')?.id).toBe('api');
    expect(matchPolicy(table, 'GET', '/api/v1')).toBeUndefined();
    expect(matchPolicy(table, 'GET', '/health')?.id).toBe('health');
    expect(matchPolicy(table, 'GET', '/metrics')).toBeUndefined();
    // Failed credential checks have a table of their own: no request is limited by those policies.
    expect(matchPolicy(table, 'GET', '/api/v1/users/me', true)?.id).toBe('credential-failures');
  });

  it('matches :name segments', () => {
    const table = parsePolicies(
      JSON.stringify([{ ...DEFAULT_POLICIES[0], id: 'files', match: 'GET /api/v1/files/:id/download' }]),
    );
    expect(matchPolicy(table, 'GET', '/api/v1/files/f_1/download')?.id).toBe('files');
    expect(matchPolicy(table, 'GET', '/api/v1/files//download')).toBeUndefined();
  });

  it('refuses a malformed table instead of running without limits', () => {
    expect(() => parsePolicies('{')).toThrow(/not valid JSON/);
    const bad: Partial<PolicyConfig>[] = [{ ...DEFAULT_POLICIES[0], limit: 0 }];
    expect(() => parsePolicies(JSON.stringify(bad))).toThrow(/invalid/);
    const dup = [DEFAULT_POLICIES[0], DEFAULT_POLICIES[0]];
    expect(() => parsePolicies(JSON.stringify(dup))).toThrow(/unique/);
    expect(parsePolicies('[]')).toEqual([]);
  });

  it('counts IPv6 clients per /64', () => {
    expect(clientAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress(undefined)).toBe('unknown');
  });
});

describe('embedded limiter (Durable Object)', () => {
  it('lets exactly L of a parallel burst through', async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 12 }, () => register(ip)));
    const limited = answers.filter((r) => r.status === 429);
    expect(answers.length - limited.length).toBe(5);
    for (const res of limited) expect((await problemOf(res)).code).toBe('RATE_LIMITED');
    // The ones that passed reached identity, which refused the empty body.
    expect(answers.filter((r) => r.status === 400)).toHaveLength(5);
  });

  it('answers with RateLimit-Policy and RateLimit on every covered request', async () => {
    const ip = freshIp();
    const creds = { email: 'nobody@example.com', password: 'not the password' };
    const first = await post('/auth/login', ip, creds);
    const second = await post('/auth/login', ip, creds);
    expect(first.status).toBe(401);
    expect(first.headers.get('ratelimit-policy')).toBe('"login";q=10;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"login";r=9;t=\d+$/);
    expect(second.headers.get('ratelimit')).toMatch(/^"login";r=8;t=\d+$/);
    const t = Number(/t=(\d+)/.exec(second.headers.get('ratelimit') ?? '')?.[1]);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThanOrEqual(60);

    const uncovered = await fetchWith(DEFAULTS, '/metrics');
    expect(uncovered.headers.get('ratelimit-policy')).toBeNull();
    expect(uncovered.headers.get('ratelimit')).toBeNull();
  });

  it('refuses over the limit with 429 problem+json and Retry-After', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await register(ip)).status).toBe(400);
    const res = await register(ip);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await problemOf(res);
    expect(problem.code).toBe('RATE_LIMITED');
    const retry = Number(res.headers.get('retry-after'));
    // Five hits in this window: the next passes no later than 61 s from now (next window plus its decay).
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(61);
    expect(res.headers.get('ratelimit-policy')).toBe('"register";q=5;w=60');
    expect(res.headers.get('ratelimit')).toBe(`"register";r=0;t=${retry}`);
  });

  it('keys by CF-Connecting-IP and never by X-Forwarded-For', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      expect((await register(ip, { 'x-forwarded-for': `192.0.2.${i + 1}` })).status).toBe(400);
    }
    expect((await register(ip, { 'x-forwarded-for': '192.0.2.99' })).status).toBe(429);
    // Another address has its own budget, whatever it claims to be forwarded for.
    expect((await register(freshIp(), { 'x-forwarded-for': ip })).status).toBe(400);
  });

  it('keys per user on the API, so users do not share a budget', async () => {
    const alice = await signedInUser();
    const bob = await signedInUser();
    const policies = JSON.stringify([
      {
        id: 'api',
        match: '* /api/v1/*',
        key: 'user',
        algorithm: 'token_bucket',
        limit: 2,
        windowSeconds: 3600,
        refillRate: 1,
        failMode: 'open',
      },
    ]);
    const me = (token: string, ip: string) =>
      fetchWith(
        { RATE_LIMIT_POLICIES: policies },
        '/api/v1/users/me',
        bearer(token, { headers: { 'cf-connecting-ip': ip } }),
      );
    const ip = freshIp();
    expect((await me(alice.accessToken, ip)).status).toBe(200);
    const second = await me(alice.accessToken, freshIp());
    expect(second.status).toBe(200);
    expect(second.headers.get('ratelimit')).toMatch(/^"api";r=0;t=\d+$/);
    expect(second.headers.get('ratelimit-policy')).toBe('"api";q=2;w=7200');
    // Same user from another address: still the same budget.
    expect((await me(alice.accessToken, freshIp())).status).toBe(429);
    // Another user from the very same address: a budget of their own.
    expect((await me(bob.accessToken, ip)).status).toBe(200);
  });

  it('applies each policy fail mode when the limiter cannot be reached', async () => {
    const broken = {
      getByName: () => ({ hit: () => Promise.reject(new Error('overloaded')) }),
    };
    const closed = await fetchWith({ ...DEFAULTS, RATE_LIMITER: broken }, '/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': freshIp() },
      body: '{}',
    });
    expect(closed.status).toBe(503);
    expect((await problemOf(closed)).code).toBe('SERVICE_UNAVAILABLE');
    expect(closed.headers.get('retry-after')).toBe('5');

    const user = await signedInUser();
    const open = await fetchWith({ ...DEFAULTS, RATE_LIMITER: broken }, '/api/v1/users/me', bearer(user.accessToken));
    expect(open.status).toBe(200);
    expect(open.headers.get('ratelimit-policy')).toBe('"api";q=600;w=60');
    expect(open.headers.get('ratelimit')).toBeNull();
  });

  it('keeps its state in SQLite and deletes it once it has aged out', async () => {
    const stub = env.RATE_LIMITER.getByName(`test:${crypto.randomUUID()}`);
    const first = await stub.hit('sliding_window', 3, 60_000, 3);
    expect(first).toMatchObject({ allowed: true, remaining: 2, limit: 3 });
    await runInDurableObject(stub, async (instance: RateLimiter, state) => {
      const row = state.storage.sql.exec<{ b: number; expires_at: number }>('SELECT b, expires_at FROM state').one();
      expect(row.b).toBe(1);
      expect(await state.storage.getAlarm()).toBe(row.expires_at);
      // A live state survives its alarm (which re-arms) ...
      await instance.alarm();
      expect(state.storage.sql.exec('SELECT count(*) AS n FROM state').one().n).toBe(1);
      // ... an aged-out one is deleted with the object's storage.
      state.storage.sql.exec('UPDATE state SET expires_at = 0');
      (instance as unknown as { state: undefined }).state = undefined;
      await instance.alarm();
      const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'state'").toArray();
      expect(tables).toHaveLength(0);
    });
    // And the key starts afresh.
    expect(await stub.hit('sliding_window', 3, 60_000, 3)).toMatchObject({ allowed: true, remaining: 2 });
  });
});

// The default policies' sliding windows are a minute long and aligned to the clock.
beforeEach(() => awayFromWindowEdge(60_000));
