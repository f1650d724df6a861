import { exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { forwardTo } from '@onasis/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliverPlatform, ev } from './platform-helpers.js';

const forward = forwardTo('analytics', () => exports.AnalyticsService);

const ADMIN: Principal = {
  userId: 'usr_admin',
  sessionId: 'ses_admin',
  permissions: ['analytics:read', 'analytics:write', 'analytics:manage'],
  via: 'access_token',
};
const MEMBER: Principal = { ...ADMIN, userId: 'usr_member', permissions: ['analytics:read', 'analytics:write'] };

async function platform(query: string, principal: Principal = ADMIN) {
  const res = await forward(`/api/v1/analytics/platform?${query}`, {}, { principal });
  return { status: res.status, body: await res.json<{ data: unknown; errors?: { path: string }[] }>() };
}

const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  await deliverPlatform([
    // Before the custom period: counted in MRR only.
    ev.subscription('subscription.started', 'usr_old', '2022-12-20', 1000),
    ev.registered('usr_1', '2023-01-01'),
    ev.paid('usr_1', '2023-01-01', 1500),
    ev.subscription('subscription.started', 'usr_1', '2023-01-01', 4900),
    ev.registered('usr_2', '2023-01-03'),
    ev.paid('usr_2', '2023-01-03', 900, 'eur'),
    ev.uploaded('usr_2', '2023-01-03', 2048),
    ev.refunded('usr_1', '2023-01-20', 500),
    ev.subscription('subscription.canceled', 'usr_old', '2023-01-25', 1000),
    ev.signedIn('usr_3', '2023-01-25'),
    ev.signedIn('usr_2', '2023-01-31'),
    // Yearly: a twelfth of it each month.
    ev.subscription('subscription.started', 'usr_2', '2023-02-10', 24000, 'year'),
    ev.registered('usr_today', today),
  ]);
});

describe('GET /platform', () => {
  it('answers the aggregate of a period, MRR and active users as they stand at its end', async () => {
    const { status, body } = await platform('period=custom&from=2023-01-01&to=2023-01-31');
    expect(status).toBe(200);
    expect(body.data).toEqual({
      signups: 2,
      revenue: { usd: 1500, eur: 900 },
      refunds: { usd: 500 },
      // 1000 (December) + 4900 − 1000.
      mrr: { usd: 4900 },
      storage_uploaded: 2048,
      // Jan 31: usr_2. Jan 25–31: usr_2, usr_3, usr_old (canceled). Jan 2–31: those and usr_1 (refunded).
      active_users: { daily: 1, weekly: 3, monthly: 4 },
    });
  });

  it('answers only the metrics asked for', async () => {
    const { body } = await platform('period=custom&from=2023-01-01&to=2023-03-31&metrics=mrr,subscriptions_started');
    expect(body.data).toEqual({ mrr: { usd: 6900 }, subscriptions_started: 2 });
  });

  it('answers a daily timeseries with every day present and MRR running', async () => {
    const { status, body } = await platform(
      'period=custom&from=2023-01-01&to=2023-01-04&interval=day&metrics=signups,active_users,revenue,mrr',
    );
    expect(status).toBe(200);
    expect(body.data).toEqual([
      { date: '2023-01-01', signups: 1, active_users: 1, revenue: { usd: 1500 }, mrr: { usd: 5900 } },
      { date: '2023-01-02', signups: 0, active_users: 0, revenue: {}, mrr: { usd: 5900 } },
      { date: '2023-01-03', signups: 1, active_users: 1, revenue: { eur: 900 }, mrr: { usd: 5900 } },
      { date: '2023-01-04', signups: 0, active_users: 0, revenue: {}, mrr: { usd: 5900 } },
    ]);
  });

  it('answers a monthly timeseries with the distinct users of each month', async () => {
    const { body } = await platform(
      'period=custom&from=2022-12-01&to=2023-02-28&interval=month&metrics=signups,active_users,mrr',
    );
    expect(body.data).toEqual([
      { date: '2022-12', signups: 0, active_users: 1, mrr: { usd: 1000 } },
      { date: '2023-01', signups: 2, active_users: 4, mrr: { usd: 4900 } },
      { date: '2023-02', signups: 0, active_users: 1, mrr: { usd: 6900 } },
    ]);
  });

  it('counts today in the named periods', async () => {
    const { body } = await platform('period=day&metrics=signups,active_users');
    expect(body.data).toEqual({ signups: 1, active_users: { daily: 1, weekly: 1, monthly: 1 } });
    const month = await platform('period=30d&metrics=signups');
    expect(month.body.data).toEqual({ signups: 1 });
  });

  it.each([
    ['metrics=signups,visitors', ['query.metrics']],
    ['period=week', ['query.period']],
    ['interval=hour', ['query.interval']],
    ['period=custom&from=2023-02-01&to=2023-01-01', ['query.from']],
    ['period=custom&from=2015-01-01&to=2023-01-01', ['query.to']],
    ['period=custom&from=2023-02-30&to=2023-03-01', ['query.from']],
    ['period=7d&from=2023-01-01', ['query.from']],
    ['metrics=&period=custom', ['query.metrics', 'query.from', 'query.to']],
  ])('answers 400 naming the bad parameters of %s', async (query, paths) => {
    const { status, body } = await platform(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(body.errors?.map((e) => e.path).sort()).toEqual([...paths].sort());
  });

  it('answers 403 to a caller without analytics:manage', async () => {
    const { status, body } = await platform('period=day', MEMBER);
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'FORBIDDEN' });
  });
});
