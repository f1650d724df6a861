import { describe, expect, it } from 'vitest';
import { localTime } from '../src/services/site-time.js';
import { at, dailyRow, dailyRows, deliver, hourlyRows, someSite, tracked, visitRows } from './pipeline-helpers.js';

describe('visits, bounces and durations', () => {
  it('counts the same visitor once a day and anew the next day', async () => {
    const siteId = someSite();
    await deliver([
      tracked({ siteId, ts: at('2026-09-01T08:00'), visitorId: 'day1-hash' }),
      tracked({ siteId, ts: at('2026-09-01T15:00'), visitorId: 'day1-hash' }),
      tracked({ siteId, ts: at('2026-09-02T08:00'), visitorId: 'day2-hash' }),
    ]);
    expect(await dailyRow(siteId, '2026-09-01')).toMatchObject({ visitors: 1, visits: 2, pageviews: 2 });
    expect(await dailyRow(siteId, '2026-09-02')).toMatchObject({ visitors: 1, visits: 1 });
  });

  it('splits a visit after more than 30 idle minutes and not at exactly 30', async () => {
    const siteId = someSite();
    const start = at('2026-09-03T10:00');
    await deliver([
      tracked({ siteId, ts: start, pathname: '/a' }),
      tracked({ siteId, ts: start + 30 * 60_000, pathname: '/b' }),
      tracked({ siteId, ts: start + 60 * 60_000 + 1, pathname: '/c' }),
    ]);
    const visits = await visitRows(siteId, '2026-09-03');
    expect(visits.map((v) => [v.seq, v.pageviews, JSON.parse(v.steps)])).toEqual([
      [
        1,
        2,
        [
          [0, '/a'],
          [1800, '/b'],
        ],
      ],
      [2, 1, [[0, '/c']]],
    ]);
    expect(await dailyRow(siteId, '2026-09-03')).toMatchObject({ visits: 2, visitors: 1, bounces: 1, duration: 1800 });
  });

  it('counts one-pageview visits as bounces, not those with a custom event, and adds durations', async () => {
    const siteId = someSite();
    const t = at('2026-09-04T09:00');
    await deliver([
      tracked({ siteId, ts: t, visitorId: 'bouncer', pathname: '/landing' }),
      tracked({ siteId, ts: t, visitorId: 'clicker', pathname: '/landing' }),
      tracked({ siteId, ts: t + 45_500, visitorId: 'clicker', name: 'Signup', pathname: '/landing', revenue: 900 }),
      tracked({ siteId, ts: t, visitorId: 'reader', pathname: '/landing' }),
      tracked({ siteId, ts: t + 120_000, visitorId: 'reader', pathname: '/docs' }),
    ]);
    expect(await dailyRow(siteId, '2026-09-04')).toMatchObject({
      visits: 3,
      bounces: 1,
      duration: 45 + 120,
      pageviews: 4,
      events: 1,
      revenue: 900,
    });
    expect(await dailyRow(siteId, '2026-09-04', 'entry_page', '/landing')).toMatchObject({ visits: 3, bounces: 1 });
    expect(await dailyRow(siteId, '2026-09-04', 'exit_page', '/docs')).toMatchObject({ visits: 1, duration: 120 });
    expect(await dailyRow(siteId, '2026-09-04', 'event', 'Signup')).toMatchObject({
      events: 1,
      visitors: 1,
      revenue: 900,
    });
    const steps = (await visitRows(siteId, '2026-09-04')).find((v) => v.visitorId === 'clicker')?.steps;
    expect(JSON.parse(steps ?? '[]')).toEqual([
      [0, '/landing'],
      [45, 'event:Signup'],
    ]);
  });

  it('rebuilds an old day when a late event arrives for it', async () => {
    const siteId = someSite();
    await deliver([tracked({ siteId, ts: at('2026-09-05T10:00'), visitorId: 'early' })]);
    await deliver([tracked({ siteId, ts: at('2026-09-06T10:00'), visitorId: 'today' })]);
    await deliver([tracked({ siteId, ts: at('2026-09-05T23:59'), visitorId: 'late', pathname: '/late' })]);
    expect(await dailyRow(siteId, '2026-09-05')).toMatchObject({ visitors: 2, pageviews: 2 });
    expect(await dailyRow(siteId, '2026-09-05', 'page', '/late')).toMatchObject({ pageviews: 1 });
    expect(await dailyRow(siteId, '2026-09-06')).toMatchObject({ visitors: 1, pageviews: 1 });
  });

  it("keys a non-UTC site's events by its local day and hour", async () => {
    const siteId = someSite();
    // 02:30 UTC on the 8th is 19:30 on the 7th in Los Angeles (PDT, UTC−7).
    const ts = at('2026-09-08T02:30');
    const local = localTime(ts, 'America/Los_Angeles');
    expect(local).toEqual({ date: '2026-09-07', hour: 19 });
    await deliver([tracked({ siteId, ts, ...local, pathname: '/evening' })]);
    expect(await dailyRows(siteId, '2026-09-08')).toEqual([]);
    expect(await dailyRow(siteId, '2026-09-07', 'page', '/evening')).toMatchObject({ pageviews: 1 });
    const hours = (await hourlyRows(siteId, '2026-09-07')).filter((r) => r.dimension === 'all');
    expect(hours.map((r) => [r.hour, r.pageviews])).toEqual([[19, 1]]);
    expect((await visitRows(siteId, '2026-09-07')).map((v) => v.date)).toEqual(['2026-09-07']);
  });

  it('counts a visit in the hour it started, so the hours add up to the day', async () => {
    const siteId = someSite();
    const t = at('2026-09-09T10:50');
    await deliver([
      tracked({ siteId, ts: t, pathname: '/a' }),
      tracked({ siteId, ts: t + 20 * 60_000, pathname: '/b' }),
      tracked({ siteId, ts: t + 30 * 60_000, visitorId: 'other' }),
    ]);
    const hours = (await hourlyRows(siteId, '2026-09-09')).filter((r) => r.dimension === 'all');
    expect(hours.map((r) => [r.hour, r.visits, r.pageviews])).toEqual([
      [10, 1, 2],
      [11, 1, 1],
    ]);
  });
});
