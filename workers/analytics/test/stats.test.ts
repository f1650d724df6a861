import { describe, expect, it } from 'vitest';
import type { Site } from '../src/db/schema.js';
import { DIMENSIONS } from '../src/services/dimensions.js';
import { deliver, tracked } from './pipeline-helpers.js';
import { admin, dailyRollups, member, rawEvent, siteGet, siteOf, statsOf, storeAndRollUp } from './stats-helpers.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('GET /sites/{id}/stats from rollups', () => {
  it('answers the asked metrics of a period, bounce rate and duration derived from the sums', async () => {
    const me = member();
    const site = await siteOf(me);
    await dailyRollups(site, [
      { date: '2025-02-01', visitors: 3, pageviews: 10, visits: 4, bounces: 1, duration: 100, events: 2, revenue: 500 },
      { date: '2025-02-03', visitors: 2, pageviews: 5, visits: 2, bounces: 2, duration: 21, events: 0, revenue: 0 },
      { date: '2025-02-04', visitors: 99, pageviews: 99, visits: 99 },
      { date: '2025-02-01', dimension: 'page', value: '/', visitors: 50 },
    ]);
    const q = 'period=custom&from=2025-02-01&to=2025-02-03';
    const all = await statsOf(
      site,
      `${q}&metrics=visitors,pageviews,visits,bounce_rate,visit_duration,events,revenue`,
      me,
    );
    expect(all).toEqual({
      data: { visitors: 5, pageviews: 15, visits: 6, bounce_rate: 50, visit_duration: 20, events: 2, revenue: 500 },
      meta: { source: 'rollups' },
    });
    expect((await statsOf(site, q, me)).data).toEqual({ visitors: 5 });
    expect(
      (await statsOf(site, 'period=custom&from=2025-01-01&to=2025-01-02&metrics=bounce_rate,visit_duration', me)).data,
    ).toEqual({ bounce_rate: 0, visit_duration: 0 });
  });

  it('fills every bucket of a timeseries, by day and by month', async () => {
    const me = member();
    const site = await siteOf(me);
    await dailyRollups(site, [
      { date: '2025-01-31', visitors: 1, pageviews: 2 },
      { date: '2025-02-02', visitors: 4, pageviews: 8 },
    ]);
    const days = await statsOf(site, 'period=custom&from=2025-01-31&to=2025-02-03&interval=day&metrics=pageviews', me);
    expect(days.data).toEqual([
      { date: '2025-01-31', pageviews: 2 },
      { date: '2025-02-01', pageviews: 0 },
      { date: '2025-02-02', pageviews: 8 },
      { date: '2025-02-03', pageviews: 0 },
    ]);
    const months = await statsOf(site, 'period=custom&from=2024-12-15&to=2025-02-03&interval=month', me);
    expect(months.data).toEqual([
      { date: '2024-12', visitors: 0 },
      { date: '2025-01', visitors: 1 },
      { date: '2025-02', visitors: 4 },
    ]);
  });

  it('orders a breakdown by its first metric, then by value, a page at a time', async () => {
    const me = member();
    const site = await siteOf(me);
    const page = (value: string, pageviews: number, visitors: number) =>
      ({ date: '2025-03-01', dimension: 'page', value, pageviews, visitors, visits: visitors }) as const;
    await dailyRollups(site, [page('/b', 5, 1), page('/a', 5, 3), page('/c', 9, 2), page('/d', 1, 9)]);
    const base = 'period=custom&from=2025-03-01&to=2025-03-01&dimension=page&metrics=pageviews,visitors';
    expect((await statsOf(site, base, me)).data).toEqual([
      { value: '/c', pageviews: 9, visitors: 2 },
      { value: '/a', pageviews: 5, visitors: 3 },
      { value: '/b', pageviews: 5, visitors: 1 },
      { value: '/d', pageviews: 1, visitors: 9 },
    ]);
    expect((await statsOf(site, `${base}&limit=2&page=2`, me)).data).toEqual([
      { value: '/b', pageviews: 5, visitors: 1 },
      { value: '/d', pageviews: 1, visitors: 9 },
    ]);
    const only = await statsOf(site, `${base}&filters=page%3D%3D%2Fa%7C%2Fd`, me);
    expect(only).toEqual({
      data: [
        { value: '/a', pageviews: 5, visitors: 3 },
        { value: '/d', pageviews: 1, visitors: 9 },
      ],
      meta: { source: 'rollups' },
    });
  });

  it('counts an event at 02:00 UTC on the previous day of a site in New York, hours in its time', async () => {
    const me = member();
    const site = await siteOf(me, 'America/New_York');
    await storeAndRollUp(site, [
      rawEvent(site, utc('2025-06-11T02:00:00'), { visitorId: 'a', country: 'US', pathname: '/late' }),
      rawEvent(site, utc('2025-06-11T15:00:00'), { visitorId: 'b', country: 'DE', pathname: '/noon' }),
    ]);
    const q = 'period=custom&from=2025-06-10&to=2025-06-10';
    expect((await statsOf(site, `${q}&dimension=page`, me)).data).toEqual([{ value: '/late', visitors: 1 }]);
    const hours = await statsOf<Array<{ date: string; visitors: number }>>(site, `${q}&interval=hour`, me);
    expect(hours.data).toHaveLength(24);
    expect(hours.data.filter((h) => h.visitors > 0)).toEqual([{ date: '2025-06-10T22:00', visitors: 1 }]);
    const next = await statsOf(
      site,
      'period=custom&from=2025-06-11&to=2025-06-11&dimension=country&filters=page==/noon',
      me,
    );
    expect(next).toEqual({
      data: [{ value: 'DE', visitors: 1 }],
      meta: { source: 'raw', rawFrom: expect.any(String) },
    });
  });
});

describe('GET /sites/{id}/stats from raw events', () => {
  it('combines filters and !=, in a site-local time zone', async () => {
    const me = member();
    const site = await siteOf(me, 'Asia/Kolkata');
    const day = (t: string) => utc(`2025-05-01T${t}`);
    await storeAndRollUp(site, [
      // 20:00 UTC on 30 April is already 1 May in Kolkata (+05:30).
      rawEvent(site, utc('2025-04-30T20:00:00'), { visitorId: 'a', country: 'IN', pathname: '/' }),
      rawEvent(site, utc('2025-04-30T20:01:00'), { visitorId: 'a', country: 'IN', pathname: '/pricing' }),
      rawEvent(site, day('05:00:00'), { visitorId: 'b', country: 'IN', device: 'mobile', pathname: '/pricing' }),
      rawEvent(site, day('06:00:00'), { visitorId: 'c', country: 'FR', pathname: '/pricing' }),
      rawEvent(site, day('07:00:00'), { visitorId: 'd', country: 'IN', pathname: '/blog' }),
    ]);
    const q = 'period=custom&from=2025-05-01&to=2025-05-01&metrics=visitors,pageviews';
    const answer = await statsOf(site, `${q}&dimension=device&filters=country==IN;page==/pricing`, me);
    expect(answer.data).toEqual([
      { value: 'desktop', visitors: 1, pageviews: 1 },
      { value: 'mobile', visitors: 1, pageviews: 1 },
    ]);
    expect(answer.meta.source).toBe('raw');
    const not = await statsOf(site, `${q}&filters=country!=FR`, me);
    expect(not.data).toEqual({ visitors: 3, pageviews: 4 });
    const either = await statsOf(site, `${q}&filters=country==IN|FR`, me);
    expect(either).toMatchObject({ data: { visitors: 4, pageviews: 5 }, meta: { source: 'raw' } });
  });

  it('says from which day raw events are kept when the period starts before', async () => {
    const me = member();
    const site = await siteOf(me);
    const answer = await statsOf(site, 'period=12mo&filters=country!=FR', me);
    expect(answer).toEqual({
      data: { visitors: 0 },
      meta: { source: 'raw', rawFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    });
    expect((await statsOf(site, 'period=day&filters=country!=FR', me)).meta).toEqual({ source: 'raw' });
  });

  it('lets only analytics:manage ask for compute=raw', async () => {
    const me = member();
    const site = await siteOf(me);
    const res = await siteGet(site, '/stats?compute=raw', me);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await statsOf(site, 'compute=raw', admin())).meta.source).toBe('raw');
  });
});

describe('GET /sites/{id}/stats access', () => {
  it('answers 404 for another user’s site, a deleted one and a missing one', async () => {
    const owner = member();
    const site = await siteOf(owner);
    const gone = await siteOf(owner, 'UTC', { deletedAt: new Date().toISOString() });
    for (const [s, who] of [
      [site, member()],
      [gone, owner],
      [{ ...site, id: 'sit_missing' }, owner],
    ] as const) {
      for (const path of ['/stats', '/realtime', '/funnel?steps=/a,/b', '/retention', '/export.csv']) {
        const res = await siteGet(s, path, who);
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
      }
    }
    expect((await siteGet(site, '/stats', admin())).status).toBe(200);
  });
});

describe('GET /sites/{id}/realtime', () => {
  it('counts distinct visitors of the last five minutes', async () => {
    const me = member();
    const site = await siteOf(me);
    const now = Date.now();
    await storeAndRollUp(site, [
      rawEvent(site, now - 60_000, { visitorId: 'a' }),
      rawEvent(site, now - 30_000, { visitorId: 'a' }),
      rawEvent(site, now - 120_000, { visitorId: 'b' }),
      rawEvent(site, now - 10 * 60_000, { visitorId: 'c' }),
    ]);
    const res = await siteGet(site, '/realtime', me);
    expect(await res.json()).toEqual({ visitors: 2 });
  });
});

/** A deterministic pseudo-random source (mulberry32), so that a failure names a dataset one can rerun. */
function randomOf(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T };
}

async function mixedTraffic(site: Site, seed: number) {
  const r = randomOf(seed);
  const rows = [];
  for (let v = 0; v < 25; v++) {
    let ts = utc('2025-07-01T00:00:00') + Math.floor(r.next() * 3 * 86_400_000);
    for (let n = Math.floor(r.next() * 6) + 1; n > 0; n--) {
      const custom = r.next() < 0.25;
      rows.push(
        rawEvent(site, ts, {
          visitorId: `v${v % 18}`,
          name: custom ? r.pick(['Signup', 'Purchase']) : 'pageview',
          pathname: r.pick(['/', '/pricing', '/blog', '/signup']),
          source: r.pick(['', 'Google', 'Twitter']),
          referrer: r.pick(['', 'google.com/', 't.co/x']),
          utmCampaign: r.pick(['', 'spring']),
          country: r.pick(['US', 'DE', 'IN']),
          device: r.pick(['desktop', 'mobile']),
          revenue: custom && r.next() < 0.5 ? Math.floor(r.next() * 5000) : null,
        }),
      );
      ts += r.pick([5_000, 60_000, 600_000, 40 * 60_000, 3 * 3_600_000]);
    }
  }
  await storeAndRollUp(site, rows);
}

describe('rollups and raw events', () => {
  it('answer every query rollups can answer alike', async () => {
    const owner = member();
    const site = await siteOf(owner, 'America/New_York');
    await mixedTraffic(site, 7);
    const all = 'metrics=visitors,pageviews,visits,bounce_rate,visit_duration,events,revenue';
    const queries = [
      'period=custom&from=2025-06-30&to=2025-07-04',
      'period=custom&from=2025-06-30&to=2025-07-04&interval=day',
      'period=custom&from=2025-06-30&to=2025-07-04&interval=hour',
      'period=custom&from=2025-06-30&to=2025-07-04&interval=month',
      ...DIMENSIONS.map((d) => `period=custom&from=2025-06-30&to=2025-07-04&dimension=${d}&limit=1000`),
      'period=custom&from=2025-07-01&to=2025-07-02&dimension=page&limit=2&page=2',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=country==DE',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=page==/pricing&interval=day',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=event==Signup',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=entry_page==/blog',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=exit_page==/signup',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=source==Google&interval=hour',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=country==US|IN&dimension=country',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=page==/blog&interval=hour',
      'period=custom&from=2025-06-30&to=2025-07-04&filters=event==Purchase|Signup&dimension=event',
    ];
    const manager = admin();
    let nonEmpty = 0;
    for (const q of queries) {
      const fromRollups = await statsOf(site, `${q}&${all}`, manager);
      const fromRaw = await statsOf(site, `${q}&${all}&compute=raw`, manager);
      expect(fromRollups.meta.source, q).toBe('rollups');
      expect(fromRaw.meta.source, q).toBe('raw');
      expect(fromRaw.data, q).toEqual(fromRollups.data);
      if (JSON.stringify(fromRollups.data).match(/"visitors":[1-9]/)) nonEmpty++;
    }
    expect(nonEmpty).toBe(queries.length);
  });

  it('answers from what the queue consumer stored', async () => {
    const me = member();
    const site = await siteOf(me);
    const t = utc('2025-08-01T10:00:00');
    const events = [
      tracked({ siteId: site.id, ts: t, visitorId: 'a', pathname: '/' }),
      tracked({ siteId: site.id, ts: t + 60_000, visitorId: 'a', pathname: '/pricing' }),
      tracked({ siteId: site.id, ts: t, visitorId: 'b', pathname: '/pricing', country: 'DE' }),
    ];
    await deliver(events);
    // A redelivered batch changes nothing.
    await deliver(events);
    const q = 'period=custom&from=2025-08-01&to=2025-08-01&metrics=visitors,pageviews,bounce_rate';
    expect((await statsOf(site, q, me)).data).toEqual({ visitors: 2, pageviews: 3, bounce_rate: 50 });
    expect((await statsOf(site, `${q}&dimension=page`, me)).data).toEqual([
      { value: '/pricing', visitors: 2, pageviews: 2, bounce_rate: 50 },
      { value: '/', visitors: 1, pageviews: 1, bounce_rate: 0 },
    ]);
  });
});
