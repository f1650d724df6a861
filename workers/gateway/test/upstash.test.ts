import { beforeEach, describe, expect, inject, it } from 'vitest';
import { UPSTASH_TIMEOUT_MS } from '../src/rate-limit/backends.js';
import { awayFromWindowEdge, fetchWith, problemOf } from './helpers.js';

// Servers started by test/redis.global.ts: a real redis-server behind the Upstash REST emulator.
const servers = inject('upstash');

let ipCounter = 0;
/** A distinct client address per call, so that no two tests share a Redis key. */
const freshIp = () => {
  ipCounter += 1;
  return `192.0.2.${ipCounter}`;
};

function policies(overrides: Record<string, unknown>[]): string {
  return JSON.stringify(
    overrides.map((o) => ({
      id: 'register',
      match: 'POST /auth/register',
      key: 'ip',
      algorithm: 'sliding_window',
      limit: 5,
      windowSeconds: 60,
      failMode: 'closed',
      ...o,
    })),
  );
}

/** POST /auth/register (an empty body, which identity refuses with 400) through the gateway on Upstash at `url`. */
function register(url: string, table: string, ip: string): Promise<Response> {
  return fetchWith(
    { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: servers.token, RATE_LIMIT_POLICIES: table },
    '/auth/register',
    { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip }, body: '{}' },
  );
}

describe('Upstash limiter against a real Redis', () => {
  it.each([
    ['sliding window', policies([{}])],
    ['token bucket', policies([{ algorithm: 'token_bucket', windowSeconds: 60, refillRate: 1 }])],
  ])('%s lets exactly L of a parallel burst through', async (_name, table) => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 12 }, () => register(servers.url, table, ip)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const limited = answers.find((r) => r.status === 429);
    expect((await problemOf(limited as Response)).code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('answers with the same headers as the embedded limiter', async () => {
    const ip = freshIp();
    const table = policies([{}]);
    const first = await register(servers.url, table, ip);
    const second = await register(servers.url, table, ip);
    expect(first.status).toBe(400);
    expect(first.headers.get('ratelimit-policy')).toBe('"register";q=5;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"register";r=4;t=\d+$/);
    expect(second.headers.get('ratelimit')).toMatch(/^"register";r=3;t=\d+$/);
  });

  it('keeps counting in Redis across requests, not per isolate', async () => {
    const ip = freshIp();
    const table = policies([{ limit: 2 }]);
    expect((await register(servers.url, table, ip)).status).toBe(400);
    expect((await register(servers.url, table, ip)).status).toBe(400);
    expect((await register(servers.url, table, ip)).status).toBe(429);
    // Another address is another Redis key.
    expect((await register(servers.url, table, freshIp())).status).toBe(400);
  });
});

describe('Upstash unreachable', () => {
  // The answer must come within the limiter's timeout; the margin covers the rest of the pipeline on a busy machine.
  const BOUND_MS = UPSTASH_TIMEOUT_MS + 400;

  it.each([
    ['Redis is down behind the REST server (requests hang)', () => servers.redisDownUrl],
    ['the REST endpoint refuses connections', () => servers.deadUrl],
  ])('when %s, a fail-closed policy refuses with 503 in time', async (_name, url) => {
    const started = Date.now();
    const res = await register(url(), policies([{ failMode: 'closed' }]), freshIp());
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('ratelimit-policy')).toBe('"register";q=5;w=60');
    expect(elapsed).toBeLessThan(BOUND_MS);
  });

  it.each([
    ['Redis is down behind the REST server (requests hang)', () => servers.redisDownUrl],
    ['the REST endpoint refuses connections', () => servers.deadUrl],
  ])('when %s, a fail-open policy lets the request through in time', async (_name, url) => {
    const started = Date.now();
    const res = await register(url(), policies([{ failMode: 'open' }]), freshIp());
    const elapsed = Date.now() - started;
    // Through to identity, which refuses the empty body.
    expect(res.status).toBe(400);
    expect(res.headers.get('ratelimit-policy')).toBe('"register";q=5;w=60');
    expect(res.headers.get('ratelimit')).toBeNull();
    expect(elapsed).toBeLessThan(BOUND_MS);
  });
});

// The default policies' sliding windows are a minute long and aligned to the clock.
beforeEach(() => awayFromWindowEdge(60_000));
