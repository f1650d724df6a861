import { inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollupsDaily, rollupsHourly, visits } from '../src/db/schema.js';
import type { TrackedEvent } from '../src/services/tracked-event.js';
import { db, deliver, someSite, tracked } from './pipeline-helpers.js';
import { type ModelRow, modelRollups, modelVisits, visitFacts } from './rollup-model.js';

const FIVE_MINUTES = 5 * 60 * 1000;
const DAYS = ['2026-10-05', '2026-10-06'];

// Slots of 5 minutes with a jitter of 0 or a few ms put many gaps at exactly 30 minutes and just past it.
const draft = fc.record({
  site: fc.nat({ max: 1 }),
  day: fc.nat({ max: 1 }),
  visitor: fc.constantFrom('v1', 'v2', 'v3'),
  slot: fc.nat({ max: 40 }),
  jitter: fc.constantFrom(0, 1, 999, 1000, 59_999),
  name: fc.constantFrom('pageview', 'pageview', 'pageview', 'Signup', 'Purchase'),
  pathname: fc.constantFrom('/', '/pricing', '/blog/a'),
  source: fc.constantFrom('', 'Google', 'Twitter'),
  referrer: fc.constantFrom('', 'google.com/', 'twitter.com/x'),
  utmCampaign: fc.constantFrom('', 'spring'),
  country: fc.constantFrom('FR', 'DE', ''),
  device: fc.constantFrom('desktop', 'mobile'),
  browser: fc.constantFrom('Firefox', 'Chrome'),
  revenue: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
  idKey: fc.nat({ max: 99 }),
});

type Draft = typeof draft extends fc.Arbitrary<infer T> ? T : never;

function eventsOf(drafts: Draft[], sites: string[]): TrackedEvent[] {
  // Event ids are unique across sites, so each run needs its own.
  const run = crypto.randomUUID();
  return drafts.map((d, i) => {
    const ts = Date.parse(`${DAYS[d.day]}T20:00:00Z`) + d.slot * FIVE_MINUTES + d.jitter;
    const { site, day, visitor, slot, jitter, idKey, ...fields } = d;
    // Ids sort apart from generation order, so ties on ts are broken by id as the SQL does.
    return tracked({ ...fields, siteId: sites[site] ?? '', visitorId: visitor, ts, id: `evt_${run}_${idKey}_${i}` });
  });
}

const keyOf = (r: ModelRow) => JSON.stringify([r.siteId, r.date, r.hour, r.dimension, r.value]);
const sorted = (rows: ModelRow[]) => [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));

async function storedRollups(sites: string[]) {
  const daily = await db().select().from(rollupsDaily).where(inArray(rollupsDaily.siteId, sites));
  const hourly = await db().select().from(rollupsHourly).where(inArray(rollupsHourly.siteId, sites));
  return { daily: sorted(daily.map((r) => ({ ...r, hour: null }))), hourly: sorted(hourly) };
}

describe('rollups equal a recomputation from raw rows', () => {
  it('holds on random event sets, duplicated, shuffled, split and redelivered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(draft, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 39 }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 1000 }), { minLength: 48, maxLength: 48 }),
        fc.array(fc.nat({ max: 48 }), { maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        async (drafts, dupes, order, cuts, again) => {
          const sites = [someSite(), someSite()];
          const events = eventsOf(drafts, sites);
          const copies = dupes.flatMap((i) => (events[i] ? [events[i]] : []));
          const all = [...events, ...copies]
            .map((e, i) => ({ e, k: order[i] ?? i }))
            .sort((a, b) => a.k - b.k)
            .map(({ e }) => e);
          const bounds = [0, ...new Set(cuts)].filter((c) => c < all.length).sort((a, b) => a - b);
          const batches = bounds.map((start, i) => all.slice(start, bounds[i + 1] ?? all.length));
          for (const [i, batch] of batches.entries()) {
            await deliver(batch);
            if (again[i]) await deliver(batch);
          }
          const stored = await storedRollups(sites);
          expect(stored.daily).toEqual(sorted(modelRollups(events, false)));
          expect(stored.hourly).toEqual(sorted(modelRollups(events, true)));

          const rows = await db().select().from(visits).where(inArray(visits.siteId, sites));
          const got = rows
            .map((v) => ({ ...v, steps: JSON.parse(v.steps) as unknown }))
            .sort((a, b) =>
              JSON.stringify([a.siteId, a.date, a.visitorId, a.seq]) <
              JSON.stringify([b.siteId, b.date, b.visitorId, b.seq])
                ? -1
                : 1,
            );
          const want = modelVisits(events)
            .map((v) => ({
              siteId: v.siteId,
              date: v.date,
              visitorId: v.visitorId,
              seq: v.seq,
              startedAt: v.events[0]?.ts,
              endedAt: v.events.at(-1)?.ts,
              pageviews: v.events.filter((e) => e.name === 'pageview').length,
              events: v.events.filter((e) => e.name !== 'pageview').length,
              steps: visitFacts(v).steps,
            }))
            .sort((a, b) =>
              JSON.stringify([a.siteId, a.date, a.visitorId, a.seq]) <
              JSON.stringify([b.siteId, b.date, b.visitorId, b.seq])
                ? -1
                : 1,
            );
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 25 },
    );
  });
});
