import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELETE_FUNNEL_DAYS_SQL, DELETE_VISIT_STEPS_SQL, INSERT_VISIT_STEPS_SQL } from '../src/db/rollup-sql.js';
import type { Site } from '../src/db/schema.js';
import { funnelDays, visitSteps, visits } from '../src/db/schema.js';
import { depthOf, type FunnelStep, parseFunnelQuery } from '../src/services/funnel.js';
import { admin, db, member, rawEvent, siteGet, siteOf, storeAndRollUp } from './stats-helpers.js';

type Path = Array<[number, string]>;

async function visitsOf(site: Site, rows: Array<{ visitor: string; path: Path; date?: string; seq?: number }>) {
  const values = rows.map((r) => ({
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
  }));
  // 10 rows of 9 columns per statement: D1 binds at most 100 parameters.
  for (let i = 0; i < values.length; i += 10)
    await db()
      .insert(visits)
      .values(values.slice(i, i + 10));
  // The funnel index of those days, built by the rebuild's own statements from the visits, and their kept answers
  // dropped as a rebuild drops them.
  const days = [...new Set(rows.map((r) => r.date ?? '2025-04-01'))];
  await db().$client.batch(
    days.flatMap((day) =>
      [DELETE_VISIT_STEPS_SQL, DELETE_FUNNEL_DAYS_SQL, INSERT_VISIT_STEPS_SQL].map((q) =>
        db().$client.prepare(q).bind(site.id, day),
      ),
    ),
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

  it('answers compute=raw from the raw events, the same as the index, for analytics:manage only', async () => {
    const me = member();
    const site = await siteOf(me);
    const t = Date.parse('2025-04-01T22:00:00Z');
    const events = [
      rawEvent(site, t, { visitorId: 'a', pathname: '/pricing' }),
      rawEvent(site, t + 60_000, { visitorId: 'a', pathname: '/signup' }),
      rawEvent(site, t + 5_000_000, { visitorId: 'a', name: 'Purchase', pathname: '/signup' }),
      rawEvent(site, t, { visitorId: 'b', pathname: '/pricing' }),
      rawEvent(site, t + 31 * 60_000, { visitorId: 'b', pathname: '/signup' }),
      rawEvent(site, t + 2 * 3_600_000, { visitorId: 'c', pathname: '/pricing' }),
      rawEvent(site, t + 2 * 3_600_000 + 1000, { visitorId: 'c', pathname: '/signup' }),
      rawEvent(site, t + 2 * 3_600_000 + 1999, { visitorId: 'c', name: 'Purchase', pathname: '/signup' }),
    ];
    await storeAndRollUp(site, events);
    for (const query of [
      'steps=/pricing,/signup,event:Purchase',
      'steps=/pricing,/signup,event:Purchase&window=1',
      'steps=/pr*,/signup&window=60',
    ]) {
      const indexed = await funnel(site, query, me);
      expect(await funnel(site, `${query}&compute=raw`, admin())).toEqual(indexed);
    }
    expect(await funnel(site, 'steps=/pricing,/signup,event:Purchase&window=86400', me)).toEqual([
      { step: '/pricing', visitors: 3, conversionRate: 100 },
      { step: '/signup', visitors: 2, conversionRate: 66.7 },
      // a's purchase came after 30 idle minutes, in a visit of its own.
      { step: 'event:Purchase', visitors: 1, conversionRate: 33.3 },
    ]);
    const refused = await siteGet(site, '/funnel?steps=/a,/b&compute=raw', me);
    expect(refused.status).toBe(403);
    const bad = await siteGet(site, '/funnel?steps=/a,/b&compute=maybe', me);
    expect(bad.status).toBe(400);
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
    // Each day of the period is kept, the empty one too.
    const kept = await db().select().from(funnelDays).where(eq(funnelDays.siteId, site.id));
    expect(kept.map((r) => [r.date, JSON.parse(r.counts)]).sort()).toEqual([
      ['2025-04-01', [2, 1, 1]],
      ['2025-04-02', [0, 0, 0]],
    ]);
    // A late event rebuilds its day through the consumer: the kept answer goes with the old visits.
    await storeAndRollUp(site, [
      rawEvent(site, t + 31 * 60_000 + 1000, { visitorId: 'y', name: 'Purchase', pathname: '/signup' }),
      rawEvent(site, t + 30 * 60_000, { visitorId: 'y', pathname: '/pricing' }),
    ]);
    expect(await funnel(site, 'steps=/pricing,/signup,event:Purchase', me)).toEqual([
      { step: '/pricing', visitors: 2, conversionRate: 100 },
      { step: '/signup', visitors: 2, conversionRate: 100 },
      { step: 'event:Purchase', visitors: 2, conversionRate: 100 },
    ]);
  });
});

describe('the funnel index', () => {
  const PAGES = ['/a', '/a[1]', '/ab', '/b', 'event:X', '/c'] as const;
  const visitDraft = fc.record({
    visitor: fc.constantFrom('p', 'q', 'r'),
    date: fc.constantFrom('2025-03-31', '2025-04-01', '2025-04-02'),
    moves: fc.array(fc.tuple(fc.constantFrom(...PAGES), fc.constantFrom(0, 1, 5, 50, 400, 4000)), {
      minLength: 1,
      maxLength: 7,
    }),
  });
  const query = fc.record({
    labels: fc.array(fc.constantFrom(...PAGES, '/a*'), { minLength: 2, maxLength: 4 }),
    window: fc.constantFrom(1, 60, 3600),
  });

  it('answers what matching every visit step by step answers, per visitor and day, before and after more visits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(visitDraft, { minLength: 1, maxLength: 12 }),
        fc.nat(12),
        query,
        async (drafts, cut, q) => {
          const me = member();
          const site = await siteOf(me);
          const seqs = new Map<string, number>();
          const rows = drafts.map((d) => {
            const key = `${d.date} ${d.visitor}`;
            const seq = (seqs.get(key) ?? 0) + 1;
            seqs.set(key, seq);
            let at = 0;
            const path: Path = d.moves.map(([step, gap], i) => {
              at += i === 0 ? 0 : gap;
              return [at, step];
            });
            return { visitor: d.visitor, date: d.date, seq, path };
          });
          const labels = q.labels.join(',');
          const fq = parseFunnelQuery(
            { steps: labels, window: String(q.window), period: 'custom', from: '2025-04-01', to: '2025-04-02' },
            '2025-04-02',
          );
          const expected = (stored: typeof rows) => {
            const depths = new Map<string, number>();
            for (const r of stored.filter((r) => r.date !== '2025-03-31')) {
              const key = `${r.date} ${r.visitor}`;
              depths.set(key, Math.max(depths.get(key) ?? 0, depthOf(r.path, fq.steps, q.window)));
            }
            return fq.steps.map((_, k) => [...depths.values()].filter((d) => d > k).length);
          };
          const answer = async () =>
            (
              (await funnel(site, `steps=${encodeURIComponent(labels)}&window=${q.window}`, me)) as Array<{
                visitors: number;
              }>
            ).map((r) => r.visitors);
          // The first answers are kept per day; the later visits rebuild their days, and the answer follows them.
          const first = rows.slice(0, cut);
          if (first.length > 0) await visitsOf(site, first);
          expect(await answer()).toEqual(expected(first));
          expect(await answer()).toEqual(expected(first));
          if (first.length < rows.length) await visitsOf(site, rows.slice(cut));
          expect(await answer()).toEqual(expected(rows));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('holds one row per visit and distinct step, with what follows its first occurrence', async () => {
    const site = await siteOf(member());
    await visitsOf(site, [
      {
        visitor: 'v',
        path: [
          [0, '/a'],
          [10, '/b'],
          [20, '/a'],
          [30, 'event:"quoted"'],
        ],
      },
    ]);
    const rows = await db().select().from(visitSteps).where(eq(visitSteps.siteId, site.id)).orderBy(visitSteps.step);
    expect(rows.map(({ step, span, rest }) => ({ step, span, rest }))).toEqual([
      { step: '/a', span: 30_000, rest: ',[10,"/b"],[20,"/a"],[30,"event:\\"quoted\\""]]' },
      { step: '/b', span: 30_000, rest: ',[20,"/a"],[30,"event:\\"quoted\\""]]' },
      { step: 'event:"quoted"', span: 30_000, rest: ']' },
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
