import { describe, expect, it } from 'vitest';
import type { Site } from '../src/db/schema.js';
import { visits } from '../src/db/schema.js';
import { depthOf, type FunnelStep } from '../src/services/funnel.js';
import { db, member, rawEvent, siteGet, siteOf, storeAndRollUp } from './stats-helpers.js';

type Path = Array<[number, string]>;

async function visitsOf(site: Site, rows: Array<{ visitor: string; path: Path; date?: string; seq?: number }>) {
  await db()
    .insert(visits)
    .values(
      rows.map((r) => ({
        siteId: site.id,
        date: r.date ?? '2025-04-01',
        visitorId: r.visitor,
        seq: r.seq ?? 1,
        // As the rebuild writes them: a visit lasts from its first step to its last.
        startedAt: 0,
        endedAt: Math.max(0, ...r.path.map(([at]) => at)) * 1000,
        pageviews: r.path.length,
        events: 0,
        steps: JSON.stringify(r.path),
      })),
    );
}

async function funnel(site: Site, query: string, who = member()) {
  const res = await siteGet(site, `/funnel?period=custom&from=2025-04-01&to=2025-04-02&${query}`, who);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: unknown[] }).data;
}

describe('GET /sites/{id}/funnel', () => {
  it('counts visitors whose visit took the steps in order within the window', async () => {
    const me = member();
    const site = await siteOf(me);
    await visitsOf(site, [
      {
        visitor: 'done',
        path: [
          [0, '/pricing'],
          [30, '/signup'],
          [60, 'event:Purchase'],
        ],
      },
      {
        visitor: 'two',
        path: [
          [0, '/pricing'],
          [10, '/about'],
          [20, '/signup'],
        ],
      },
      {
        visitor: 'backwards',
        path: [
          [0, '/signup'],
          [5, '/pricing'],
        ],
      },
      {
        visitor: 'slow',
        path: [
          [0, '/pricing'],
          [4000, '/signup'],
        ],
      },
      // The first /pricing is too early, the second one starts a funnel that completes.
      {
        visitor: 'second-try',
        path: [
          [0, '/pricing'],
          [100, '/blog'],
          [5000, '/pricing'],
          [5100, '/signup'],
          [5200, 'event:Purchase'],
        ],
      },
      { visitor: 'twice', path: [[0, '/pricing']] },
      {
        visitor: 'twice',
        seq: 2,
        path: [
          [0, '/pricing'],
          [1, '/signup'],
        ],
      },
      {
        visitor: 'upper',
        path: [
          [0, '/PRICING'],
          [1, '/signup'],
        ],
      },
      {
        visitor: 'before',
        date: '2025-03-31',
        path: [
          [0, '/pricing'],
          [1, '/signup'],
          [2, 'event:Purchase'],
        ],
      },
    ]);
    const steps = 'steps=/pricing,/signup,event:Purchase';
    expect(await funnel(site, steps, me)).toEqual([
      { step: '/pricing', visitors: 6, conversionRate: 100 },
      { step: '/signup', visitors: 4, conversionRate: 66.7 },
      { step: 'event:Purchase', visitors: 2, conversionRate: 33.3 },
    ]);
    expect(await funnel(site, `${steps}&window=86400`, me)).toEqual([
      { step: '/pricing', visitors: 6, conversionRate: 100 },
      { step: '/signup', visitors: 5, conversionRate: 83.3 },
      { step: 'event:Purchase', visitors: 2, conversionRate: 33.3 },
    ]);
    expect(await funnel(site, 'steps=/nowhere,/signup', me)).toEqual([
      { step: '/nowhere', visitors: 0, conversionRate: 0 },
      { step: '/signup', visitors: 0, conversionRate: 0 },
    ]);
  });

  it('finds steps holding LIKE wildcards, quotes and backslashes, and prefixes ending in *', async () => {
    const me = member();
    const site = await siteOf(me);
    await visitsOf(site, [
      {
        visitor: 'a',
        path: [
          [0, '/50%_off'],
          [1, '/a"b\\c'],
        ],
      },
      {
        visitor: 'b',
        path: [
          [0, '/50xxoff'],
          [1, '/a"b\\c'],
        ],
      },
      {
        visitor: 'c',
        path: [
          [0, '/blog/one'],
          [2, '/50%_off'],
        ],
      },
      {
        visitor: 'd',
        path: [
          [0, '/blog'],
          [2, '/50%_off'],
        ],
      },
      {
        visitor: 'e',
        path: [
          [0, '/blogroll'],
          [2, '/about'],
        ],
      },
    ]);
    expect(await funnel(site, `steps=${encodeURIComponent('/50%_off,/a"b\\c')}`, me)).toEqual([
      { step: '/50%_off', visitors: 3, conversionRate: 100 },
      { step: '/a"b\\c', visitors: 1, conversionRate: 33.3 },
    ]);
    expect(await funnel(site, `steps=${encodeURIComponent('/blog*,/50%_off')}`, me)).toEqual([
      { step: '/blog*', visitors: 3, conversionRate: 100 },
      { step: '/50%_off', visitors: 2, conversionRate: 66.7 },
    ]);
  });

  it('counts a visitor once whether SQL or the window check finds their visits, and takes glob characters literally', async () => {
    const me = member();
    const site = await siteOf(me);
    await visitsOf(site, [
      // A short visit reaching step 1 and a long one reaching step 2 within the window: counted once, at step 2.
      { visitor: 'mixed', path: [[0, '/a[1]']] },
      {
        visitor: 'mixed',
        seq: 2,
        path: [
          [0, '/a[1]'],
          [60, '/b*?'],
          [9000, '/c'],
        ],
      },
      // Glob characters in a page must match only themselves.
      {
        visitor: 'lookalike',
        path: [
          [0, '/a1'],
          [1, '/bx?'],
        ],
      },
      {
        visitor: 'short',
        path: [
          [0, '/a[1]'],
          [5, '/b*?'],
          [9, '/c'],
        ],
      },
    ]);
    expect(await funnel(site, `steps=${encodeURIComponent('/a[1],/b*?,/c')}&window=3600`, me)).toEqual([
      { step: '/a[1]', visitors: 2, conversionRate: 100 },
      { step: '/b*?', visitors: 2, conversionRate: 100 },
      { step: '/c', visitors: 1, conversionRate: 50 },
    ]);
  });

  it('reads the visits the consumer builds from raw events', async () => {
    const me = member();
    const site = await siteOf(me);
    const t = Date.parse('2025-04-01T10:00:00Z');
    await storeAndRollUp(site, [
      rawEvent(site, t, { visitorId: 'x', pathname: '/pricing' }),
      rawEvent(site, t + 60_000, { visitorId: 'x', pathname: '/signup' }),
      rawEvent(site, t + 120_000, { visitorId: 'x', name: 'Purchase', pathname: '/signup' }),
      rawEvent(site, t, { visitorId: 'y', pathname: '/pricing' }),
      // 31 idle minutes: a new visit, so the funnel stops at its first step.
      rawEvent(site, t + 31 * 60_000, { visitorId: 'y', pathname: '/signup' }),
    ]);
    expect(await funnel(site, 'steps=/pricing,/signup,event:Purchase', me)).toEqual([
      { step: '/pricing', visitors: 2, conversionRate: 100 },
      { step: '/signup', visitors: 1, conversionRate: 50 },
      { step: 'event:Purchase', visitors: 1, conversionRate: 50 },
    ]);
  });
});

describe('funnel matching', () => {
  const steps: FunnelStep[] = [
    { kind: 'page', path: '/a', prefix: false },
    { kind: 'page', path: '/b', prefix: false },
  ];

  it('takes the deepest run over every start of the first step', () => {
    expect(
      depthOf(
        [
          [0, '/a'],
          [10, '/x'],
          [20, '/a'],
          [25, '/b'],
        ],
        steps,
        10,
      ),
    ).toBe(2);
    expect(
      depthOf(
        [
          [0, '/a'],
          [11, '/b'],
        ],
        steps,
        10,
      ),
    ).toBe(1);
    expect(
      depthOf(
        [
          [0, '/b'],
          [1, '/a'],
        ],
        steps,
        10,
      ),
    ).toBe(1);
    expect(depthOf([], steps, 10)).toBe(0);
  });
});
