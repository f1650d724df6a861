import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { DEFAULT_QUOTA_PLANS, parseQuotaPlans, quotaLimitOf, quotaPeriodAt } from '../src/services/quota-plans.js';
import { fetchWith, problemOf, settleBackground } from './helpers.js';
import {
  advanceClock,
  bearer,
  json,
  publishedKey,
  type SignedIn,
  signedInUser,
  signToken,
  type TestKey,
} from './identity-fixtures.js';

/** The gateway with `plans` as QUOTA_PLANS and rate limits off (these tests count, they do not pace). */
function gatewayWith(plans: Record<string, number | null>) {
  return (path: string, init?: RequestInit) =>
    fetchWith({ QUOTA_PLANS: JSON.stringify(plans), RATE_LIMIT_POLICIES: '[]' }, path, init);
}

function usageOf(userId: string, now = Date.now()): Promise<number> {
  return env.QUOTAS.get(env.QUOTAS.idFromName(userId)).usage(quotaPeriodAt(now).month);
}

let key: TestKey;

beforeAll(async () => {
  key = await publishedKey();
});

beforeEach(() => {
  resetAuthCaches();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await settleBackground();
});

describe('monthly quota', () => {
  it('lets exactly N requests of a plan of N through, then answers 429 QUOTA_EXCEEDED until the month ends', async () => {
    const member = await signedInUser();
    const gateway = gatewayWith({ free: 3, pro: null });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await gateway('/api/v1/users/me', bearer(member.accessToken));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-quota-limit')).toBe('3');
      remaining.push(res.headers.get('x-quota-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const before = Date.now();
    const refused = await gateway('/api/v1/users/me', bearer(member.accessToken));
    const after = Date.now();
    expect(refused.status).toBe(429);
    const problem = await problemOf(refused);
    expect(problem.code).toBe('QUOTA_EXCEEDED');

    const { resetsAt } = quotaPeriodAt(before);
    const reset = new Date(resetsAt);
    expect(reset.getUTCDate()).toBe(1);
    expect(reset.getUTCHours()).toBe(0);
    expect(problem.detail).toContain(reset.toISOString());
    expect(refused.headers.get('x-quota-reset')).toBe(reset.toISOString());
    expect(refused.headers.get('x-quota-remaining')).toBe('0');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((resetsAt - after) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((resetsAt - before) / 1000));

    // Refused requests are not counted: the month's count stays at the limit.
    expect(await usageOf(member.user.id)).toBe(3);
  });

  it('admits exactly N of a parallel burst', async () => {
    const member = await signedInUser();
    const gateway = gatewayWith({ free: 4 });
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => gateway('/api/v1/users/me', bearer(member.accessToken)).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    expect(await usageOf(member.user.id)).toBe(4);
  });

  it('starts counting again in a new month', async () => {
    const member = await signedInUser();
    const gateway = gatewayWith({ free: 1 });
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(429);

    const { resetsAt } = quotaPeriodAt(Date.now());
    advanceClock(resetsAt - Date.now() + 1000);
    const nextMonth = await gateway('/api/v1/users/me', bearer(member.accessToken));
    expect(nextMonth.status).toBe(200);
    expect(nextMonth.headers.get('x-quota-remaining')).toBe('0');
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(429);
  });

  it('keeps each user to their own count', async () => {
    const [alice, bob] = [await signedInUser(), await signedInUser()];
    const gateway = gatewayWith({ free: 1 });
    expect((await gateway('/api/v1/users/me', bearer(alice.accessToken))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(alice.accessToken))).status).toBe(429);
    expect((await gateway('/api/v1/users/me', bearer(bob.accessToken))).status).toBe(200);
  });

  it('does not count or limit an unlimited plan', async () => {
    const member = await signedInUser();
    const pro = await signToken(key, member.subject, { claims: { plan: 'pro' } });
    const gateway = gatewayWith({ free: 1, pro: null });
    for (let i = 0; i < 4; i++) {
      const res = await gateway('/api/v1/users/me', bearer(pro));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-quota-limit')).toBeNull();
    }
    expect(await usageOf(member.user.id)).toBe(0);
  });

  it('gives a plan the table does not name the free plan limit', async () => {
    const member = await signedInUser();
    const unknown = await signToken(key, member.subject, { claims: { plan: 'platinum-trial' } });
    const gateway = gatewayWith({ free: 2, pro: null });
    expect((await gateway('/api/v1/users/me', bearer(unknown))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(unknown))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(unknown))).status).toBe(429);
  });

  it('applies a higher plan at once when the token says so (a new limit is a new cache entry)', async () => {
    const member: SignedIn = await signedInUser();
    const gateway = gatewayWith({ free: 1, pro: 3 });
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(429);
    const upgraded = await signToken(key, member.subject, { claims: { plan: 'pro' } });
    const res = await gateway('/api/v1/users/me', bearer(upgraded));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quota-remaining')).toBe('1');
  });

  it('never counts /auth routes, so a user out of quota can still refresh and sign in', async () => {
    const member = await signedInUser();
    const gateway = gatewayWith({ free: 1 });
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(200);
    expect((await gateway('/api/v1/users/me', bearer(member.accessToken))).status).toBe(429);

    const refreshed = await gateway(
      '/auth/refresh',
      bearer(member.accessToken, json({ refreshToken: member.refreshToken })),
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('x-quota-limit')).toBeNull();
    const login = await gateway('/auth/login', json({ email: member.user.email, password: member.user.password }));
    expect(login.status).toBe(200);
    expect(await usageOf(member.user.id)).toBe(1);
  });

  it('leaves anonymous requests to the route policy', async () => {
    const res = await gatewayWith({ free: 0 })('/api/v1/users/me');
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
  });

  it('lets requests through uncounted when the counter cannot be reached', async () => {
    const member = await signedInUser();
    const broken = {
      idFromName: (name: string) => env.QUOTAS.idFromName(name),
      get: () => ({
        consume: () => Promise.reject(new Error('Durable Object unavailable')),
      }),
    };
    const res = await fetchWith(
      { QUOTA_PLANS: '{"free": 0}', RATE_LIMIT_POLICIES: '[]', QUOTAS: broken },
      '/api/v1/users/me',
      bearer(member.accessToken),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-quota-limit')).toBeNull();
  });
});

describe('QUOTA_PLANS', () => {
  it('reads plan limits, with null as unlimited', () => {
    const plans = parseQuotaPlans('{"free": 10, "pro": 1000, "enterprise": null}');
    expect(quotaLimitOf(plans, 'free')).toBe(10);
    expect(quotaLimitOf(plans, 'pro')).toBe(1000);
    expect(quotaLimitOf(plans, 'enterprise')).toBeNull();
    expect(quotaLimitOf(plans, undefined)).toBe(10);
    expect(quotaLimitOf(plans, 'unknown')).toBe(10);
  });

  it.each([
    ['not JSON', '{free: 1}'],
    ['an array', '[1]'],
    ['a negative limit', '{"free": -1}'],
    ['a fractional limit', '{"free": 1.5}'],
    ['a string limit', '{"free": "10"}'],
    ['no free plan', '{"pro": 10}'],
  ])('falls back to the defaults on %s, and says why', (_name, raw) => {
    const reasons: string[] = [];
    expect(parseQuotaPlans(raw, (r) => reasons.push(r))).toBe(DEFAULT_QUOTA_PLANS);
    expect(reasons).toHaveLength(1);
  });

  it('uses the defaults when unset', () => {
    expect(parseQuotaPlans(undefined)).toBe(DEFAULT_QUOTA_PLANS);
    expect(quotaLimitOf(DEFAULT_QUOTA_PLANS, 'free')).toBe(10_000);
  });
});

describe('quota period', () => {
  it('is the UTC calendar month, resetting at midnight UTC on the first', () => {
    const lastSecond = quotaPeriodAt(Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    expect(lastSecond.month).toBe('2026-12');
    expect(lastSecond.resetIso).toBe('2027-01-01T00:00:00.000Z');
    const first = quotaPeriodAt(Date.UTC(2027, 0, 1));
    expect(first.month).toBe('2027-01');
    expect(first.resetIso).toBe('2027-02-01T00:00:00.000Z');
    expect(quotaPeriodAt(Date.UTC(2028, 1, 29, 12)).resetIso).toBe('2028-03-01T00:00:00.000Z');
  });
});

describe('quota leases', () => {
  it('asks the counter for batches, counts exactly what was served once the rest is refunded', async () => {
    const user = await signedInUser();
    const calls = { counters: 0 };
    const QUOTAS = {
      idFromName: (name: string) => env.QUOTAS.idFromName(name),
      get: (id: DurableObjectId) => {
        calls.counters += 1;
        return env.QUOTAS.get(id);
      },
    };
    const get = () =>
      fetchWith(
        { QUOTAS, QUOTA_PLANS: JSON.stringify({ free: 1000 }), RATE_LIMIT_POLICIES: '[]' },
        '/api/v1/users/me',
        bearer(user.accessToken),
      );
    const remaining: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await get();
      expect(res.status).toBe(200);
      remaining.push(Number(res.headers.get('x-quota-remaining')));
    }
    expect(remaining).toEqual(Array.from({ length: 40 }, (_, i) => 999 - i));
    expect(calls.counters).toBeLessThan(10);
    // Past the lease's life, the next request gives the unspent units back before taking a new lease.
    advanceClock(5000);
    const last = await get();
    expect(last.headers.get('x-quota-remaining')).toBe('959');
    await settleBackground();
    const counted = await usageOf(user.subject.sub);
    // 41 served, plus the unspent part of the lease this isolate now holds (at most a tenth of what was left).
    expect(counted).toBeGreaterThanOrEqual(41);
    expect(counted).toBeLessThanOrEqual(41 + Math.floor((1000 - 41) / 10));
  });
});
