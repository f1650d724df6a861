import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { DURATION_BUCKETS } from '../src/metrics/model.js';
import { type CountsSnapshot, overviewOf, ownerOfRoute, quantileMs } from '../src/metrics/overview.js';
import { fetchWith, settleBackground } from './helpers.js';
import { bearer, request, signedInUser } from './identity-fixtures.js';

type Overview = {
  windowSeconds: number | null;
  status: string;
  services: { name: string; requests: number; health: string | null; breaker: string | null; p95Ms: number | null }[];
  total: { requests: number; errorRate: number | null; cacheHitRatio: number | null };
};

const buckets = (counts: Record<number, number>) =>
  DURATION_BUCKETS.map((_, i) => counts[i] ?? 0).concat(counts[DURATION_BUCKETS.length] ?? 0);

describe('overview figures', () => {
  it('interpolates the p95 inside its bucket as histogram_quantile does', () => {
    // 100 answers: 90 under 5 ms, 10 between 10 and 25 ms: the 95th is half-way through the 10–25 ms bucket.
    expect(quantileMs(buckets({ 0: 90, 2: 10 }), 0.95)).toBeCloseTo(17.5, 5);
    expect(quantileMs(buckets({}), 0.95)).toBeNull();
    // Beyond the last bound only the bound itself is known.
    expect(quantileMs(buckets({ [DURATION_BUCKETS.length]: 5 }), 0.95)).toBe(10_000);
  });

  it('gives each route template to the service that owns its path, the rest to the gateway', () => {
    expect(ownerOfRoute('/api/v1/users/{id}')).toBe('identity');
    expect(ownerOfRoute('/auth/login')).toBe('identity');
    expect(ownerOfRoute('/api/v1/payments/intents')).toBe('payments');
    expect(ownerOfRoute('/health')).toBe('gateway');
  });

  it('rates the counts gathered since an earlier sample, and only counts without one', () => {
    const then: CountsSnapshot = {
      owners: { jobs: { requests: 100, errors: 1, buckets: buckets({ 0: 100 }) } },
      cache: { hits: 10, misses: 10 },
    };
    const now: CountsSnapshot = {
      owners: { jobs: { requests: 160, errors: 7, buckets: buckets({ 0: 130, 3: 30 }) } },
      cache: { hits: 40, misses: 20 },
    };
    const rated = overviewOf(['jobs', 'files'], now, { at: 0, counts: then }, 60_000);
    expect(rated.windowSeconds).toBe(60);
    expect(rated.owners[0]).toMatchObject({ name: 'jobs', requests: 60, requestsPerSecond: 1, errorRate: 0.1 });
    expect(rated.owners[1]).toMatchObject({ name: 'files', requests: 0, requestsPerSecond: 0, errorRate: null });
    expect(rated.total.cacheHitRatio).toBeCloseTo(0.75, 5);
    const unrated = overviewOf(['jobs'], now, null, 60_000);
    expect(unrated.windowSeconds).toBeNull();
    expect(unrated.owners[0]).toMatchObject({ requests: 160, requestsPerSecond: null });
  });
});

describe('GET /api/v1/overview', () => {
  it('answers every service with its health, breaker and figures to a holder of metrics:read', async () => {
    const admin = await signedInUser(['admin']);
    await request('/.well-known/jwks.json');
    const res = await request('/api/v1/overview', bearer(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json<Overview>();
    expect(body.services.map((s) => s.name)).toEqual([
      'identity',
      'payments',
      'notifications',
      'analytics',
      'files',
      'jobs',
      'gateway',
    ]);
    const identity = body.services.find((s) => s.name === 'identity');
    expect(identity).toMatchObject({ health: expect.any(String), breaker: 'closed' });
    expect(identity?.requests).toBeGreaterThan(0);
    expect(body.services.find((s) => s.name === 'gateway')).toMatchObject({ health: null, breaker: null });
    expect(body.total.requests).toBeGreaterThan(0);
  });

  it('names a service whose health check fails, and answers the rest, while that service is down', async () => {
    const admin = await signedInUser(['admin']);
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ PAYMENTS: env.FAULT_THROWS }, '/api/v1/overview', bearer(admin.accessToken));
    await settleBackground();
    spy.mockRestore();
    expect(res.status).toBe(200);
    const body = await res.json<Overview>();
    expect(body.status).toBe('degraded');
    expect(body.services.find((s) => s.name === 'payments')?.health).toBe('error');
    expect(body.services.find((s) => s.name === 'identity')?.health).toBe('ok');
  });

  it('refuses a member, who holds no metrics:read, and anyone signed out', async () => {
    const member = await signedInUser(['member']);
    expect((await request('/api/v1/overview', bearer(member.accessToken))).status).toBe(403);
    expect((await request('/api/v1/overview')).status).toBe(401);
  });
});
