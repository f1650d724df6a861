import { env, exports } from 'cloudflare:workers';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BreakerOptions,
  breakerOf,
  CircuitBreaker,
  configureBreakers,
  type Permit,
} from '../src/services/circuit-breaker.js';
import { fetchWith, problemOf } from './helpers.js';

/** The fault injector's `Flaky` entrypoint: a service whose failures the test switches on and off. */
interface FlakyService extends Service {
  configure(mode: 'ok' | 'throw' | 'hang' | 'status500' | 'status503' | 'status404', failNext?: number): Promise<void>;
  calls(): Promise<{ count: number; methods: string[]; health: number }>;
}
const flaky = (env as unknown as { FAULT_FLAKY: FlakyService }).FAULT_FLAKY;

// Every isolate's clock is this variable: cool-downs and windows pass when a test says so, never by waiting.
let clock = 1_000_000;
const COOLDOWN_MS = 10_000;

function breaker(options: Partial<BreakerOptions> = {}): CircuitBreaker {
  return new CircuitBreaker({ now: () => clock, ...options });
}

/** One call through `b` that fails or not, as the proxy reports it. */
function call(b: CircuitBreaker, failed: boolean): Permit {
  const permit = b.tryAcquire();
  if (permit !== 'denied') b.record(permit, failed);
  return permit;
}

// A public payments path: the gateway forwards it without credentials, so only the breaker stands in between.
const PATH = '/webhooks/stripe';
const viaFlaky = (init?: RequestInit) => fetchWith({ PAYMENTS: flaky }, PATH, init);
const post = () => viaFlaky({ method: 'POST' });

async function scrape(): Promise<string> {
  const res = await exports.default.fetch('http://gateway/metrics');
  expect(res.status).toBe(200);
  return res.text();
}

function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

beforeEach(async () => {
  configureBreakers({ now: () => clock, cooldownMs: COOLDOWN_MS });
  await flaky.configure('ok');
  vi.spyOn(console, 'error').mockImplementation(() => {});
  return () => vi.restoreAllMocks();
});

afterAll(() => configureBreakers());

describe('CircuitBreaker', () => {
  it('opens after five consecutive failures, not four', () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) call(b, true);
    expect(b.state).toBe('closed');
    call(b, true);
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe('denied');
  });

  it('starts the consecutive count afresh after a success', () => {
    const b = breaker();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) call(b, true);
      call(b, false);
    }
    // 12 failures in 15 calls, but never 5 in a row and under the 20-call minimum for the rate.
    expect(b.state).toBe('closed');
  });

  it('opens when at least half of 20 or more calls in the window failed', () => {
    const b = breaker();
    for (let i = 0; i < 19; i++) call(b, i % 2 === 1);
    expect(b.state).toBe('closed');
    call(b, true);
    expect(b.state).toBe('open');
  });

  it('does not open on a rate under 50%', () => {
    const b = breaker();
    for (let i = 0; i < 60; i++) call(b, i % 3 === 0);
    expect(b.state).toBe('closed');
  });

  it('forgets failures that have left the rolling window', () => {
    const b = breaker();
    for (let i = 0; i < 19; i++) call(b, i % 2 === 1);
    clock += 11_000;
    // These alone would be 1 failure in 1 call: the 19 older calls must not count.
    call(b, true);
    expect(b.state).toBe('closed');
  });

  it('asks callers to retry after the rest of the cool-down, then lets exactly one probe through', () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) call(b, true);
    expect(b.retryAfterSeconds()).toBe(10);
    clock += 7_500;
    expect(b.retryAfterSeconds()).toBe(3);
    expect(b.tryAcquire()).toBe('denied');
    clock += 2_500;
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe('probe');
    expect(b.tryAcquire()).toBe('denied');
    expect(b.retryAfterSeconds()).toBe(1);
  });

  it('closes when the probe succeeds and re-opens for a full cool-down when it fails', () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) call(b, true);
    clock += COOLDOWN_MS;
    b.record(b.tryAcquire(), true);
    expect(b.state).toBe('open');
    expect(b.retryAfterSeconds()).toBe(10);
    clock += COOLDOWN_MS;
    b.record(b.tryAcquire(), false);
    expect(b.state).toBe('closed');
    // The failures that opened it are not held against the next error.
    call(b, true);
    expect(b.state).toBe('closed');
  });

  it('ignores the outcome of calls let through before it opened', () => {
    const b = breaker();
    const late = b.tryAcquire();
    for (let i = 0; i < 5; i++) call(b, true);
    b.record(late, false);
    expect(b.state).toBe('open');
  });

  it('lets another probe through when one never reported back', () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) call(b, true);
    clock += COOLDOWN_MS;
    expect(b.tryAcquire()).toBe('probe');
    clock += COOLDOWN_MS;
    expect(b.tryAcquire()).toBe('probe');
  });
});

describe('the gateway behind a failing service', () => {
  it('opens after five failures, answers 503 with Retry-After without calling, and recovers through a probe', async () => {
    await flaky.configure('throw');
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(502);
    expect((await flaky.calls()).count).toBe(5);

    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect((await problemOf(refused)).code).toBe('SERVICE_UNAVAILABLE');
    expect((await flaky.calls()).count).toBe(5);

    clock += 4_000;
    expect((await post()).headers.get('retry-after')).toBe('6');

    await flaky.configure('ok');
    clock += 6_000;
    const probe = await post();
    expect(probe.status).toBe(200);
    expect((await flaky.calls()).count).toBe(1);
    expect(breakerOf('payments').state).toBe('closed');
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(200);
    expect((await flaky.calls()).count).toBe(4);
  });

  it('re-opens when the half-open probe fails', async () => {
    await flaky.configure('throw');
    for (let i = 0; i < 5; i++) await post();
    clock += COOLDOWN_MS;
    expect((await post()).status).toBe(502);
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect((await flaky.calls()).count).toBe(6);
  });

  it('counts 5xx answers as failures and passes them on until the breaker opens', async () => {
    await flaky.configure('status500');
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(503);
    expect((await flaky.calls()).count).toBe(5);
  });

  it('counts timeouts as failures', async () => {
    await flaky.configure('hang');
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(504);
    expect(breakerOf('payments').state).toBe('open');
    // UPSTREAM_TIMEOUT_MS is 500 in tests: five timeouts, not ten (a timeout is not retried even for GET).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("never counts the service's own 503 against it, so no caller can open the breaker with one", async () => {
    await flaky.configure('status503');
    for (let i = 0; i < 25; i++) expect((await post()).status).toBe(503);
    expect(breakerOf('payments').state).toBe('closed');
    expect((await flaky.calls()).count).toBe(25);
  });

  it('never counts a 4xx against the service', async () => {
    await flaky.configure('status404');
    for (let i = 0; i < 25; i++) expect((await post()).status).toBe(404);
    expect(breakerOf('payments').state).toBe('closed');
    expect((await flaky.calls()).count).toBe(25);
  });

  it('keeps one breaker per service: a failing payments leaves identity alone', async () => {
    await flaky.configure('throw');
    for (let i = 0; i < 5; i++) await post();
    expect(breakerOf('payments').state).toBe('open');
    expect(breakerOf('identity').state).toBe('closed');
    const res = await exports.default.fetch('http://gateway/.well-known/openid-configuration');
    expect(res.status).toBe(200);
  });
});

describe('retries', () => {
  it('repeats a GET once after a thrown error and returns the second answer', async () => {
    await flaky.configure('ok', 1);
    const res = await viaFlaky();
    expect(res.status).toBe(200);
    expect(await flaky.calls()).toMatchObject({ count: 2, methods: ['GET', 'GET'] });
  });

  // OPTIONS is retryable too, but the CORS middleware answers every OPTIONS before the proxy sees it.
  it('repeats a HEAD too', async () => {
    await flaky.configure('ok', 1);
    expect((await viaFlaky({ method: 'HEAD' })).status).toBe(200);
    expect((await flaky.calls()).methods).toEqual(['HEAD', 'HEAD']);
  });

  it('tries a GET at most twice', async () => {
    await flaky.configure('throw');
    expect((await viaFlaky()).status).toBe(502);
    expect((await flaky.calls()).count).toBe(2);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('never repeats a %s', async (method) => {
    await flaky.configure('ok', 1);
    const res = await viaFlaky({ method, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(502);
    expect(await flaky.calls()).toMatchObject({ count: 1, methods: [method] });
  });

  it('does not repeat a GET the service answered with a 5xx', async () => {
    await flaky.configure('status500');
    expect((await viaFlaky()).status).toBe(500);
    expect((await flaky.calls()).count).toBe(1);
  });

  it('does not repeat a GET that timed out', async () => {
    await flaky.configure('hang');
    expect((await viaFlaky()).status).toBe(504);
    expect((await flaky.calls()).count).toBe(1);
  });

  it('does not retry into a breaker that the failure just opened', async () => {
    await flaky.configure('throw');
    for (let i = 0; i < 4; i++) await post();
    expect((await viaFlaky()).status).toBe(502);
    expect((await flaky.calls()).count).toBe(5);
  });
});

describe('breaker state in /health and /metrics', () => {
  it('shows every breaker closed in /health while all is well', async () => {
    const res = await fetchWith({ PAYMENTS: flaky }, '/health');
    expect(res.status).toBe(200);
    const body = await res.json<{ breakers: Record<string, string> }>();
    expect(body.breakers).toEqual({
      identity: 'closed',
      payments: 'closed',
      notifications: 'closed',
      analytics: 'closed',
      files: 'closed',
      jobs: 'closed',
    });
  });

  it('reports an open breaker as degraded without calling the service, and half-open once the cool-down ends', async () => {
    await flaky.configure('throw');
    for (let i = 0; i < 5; i++) await post();
    const open = await fetchWith({ PAYMENTS: flaky }, '/health');
    expect(open.status).toBe(503);
    const body = await open.json<{ services: Record<string, string>; breakers: Record<string, string> }>();
    expect(body.services.payments).toBe('degraded');
    expect(body.breakers.payments).toBe('open');
    expect(body.services.identity).toBe('ok');
    expect((await flaky.calls()).health).toBe(0);

    clock += COOLDOWN_MS;
    const halfOpen = await fetchWith({ PAYMENTS: flaky }, '/health');
    const later = await halfOpen.json<{ services: Record<string, string>; breakers: Record<string, string> }>();
    expect(later.breakers.payments).toBe('half_open');
    expect(later.services.payments).toBe('ok');
    expect((await flaky.calls()).health).toBe(1);
    // A healthy health() is not traffic: the breaker waits for a real probe.
    expect(breakerOf('payments').state).toBe('half_open');
  });

  it('exposes the breaker state gauge: 2 while open, 1 half-open, 0 once closed', async () => {
    const gauge = 'onasis_gateway_circuit_breaker_state{service="payments"}';
    expect(sample(await scrape(), gauge)).toBe(0);
    await flaky.configure('throw');
    for (let i = 0; i < 5; i++) await post();
    const text = await scrape();
    expect(text).toContain('# TYPE onasis_gateway_circuit_breaker_state gauge');
    expect(sample(text, gauge)).toBe(2);
    expect(sample(text, 'onasis_gateway_circuit_breaker_state{service="identity"}')).toBe(0);

    clock += COOLDOWN_MS;
    expect(sample(await scrape(), gauge)).toBe(1);
    await flaky.configure('ok');
    await post();
    expect(sample(await scrape(), gauge)).toBe(0);
  });

  it('counts retries per service', async () => {
    const counter = 'onasis_gateway_upstream_retries_total{service="payments"}';
    const before = await scrape();
    expect(before).toContain('# TYPE onasis_gateway_upstream_retries_total counter');
    expect(sample(before, 'onasis_gateway_upstream_retries_total{service="jobs"}')).toBeGreaterThanOrEqual(0);
    await flaky.configure('ok', 1);
    await viaFlaky();
    await flaky.configure('ok', 1);
    await viaFlaky({ method: 'POST' });
    expect(sample(await scrape(), counter)).toBe((sample(before, counter) ?? 0) + 1);
  });
});
