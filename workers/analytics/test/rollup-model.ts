// The rollups recomputed in plain TypeScript, independently of db/rollup-sql.ts, from the meanings it documents.
import { VISIT_DIMENSIONS, VISIT_IDLE_MS } from '../src/services/dimensions.js';
import type { TrackedEvent } from '../src/services/tracked-event.js';

/** A rollup row as the tables hold it, `hour` null for daily rows. */
export interface ModelRow {
  siteId: string;
  date: string;
  hour: number | null;
  dimension: string;
  value: string;
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  duration: number;
  events: number;
  revenue: number;
}

/** One visit as the model sees it. */
export interface ModelVisit {
  siteId: string;
  date: string;
  visitorId: string;
  seq: number;
  events: TrackedEvent[];
}

const byTsThenId = (a: TrackedEvent, b: TrackedEvent) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const isPageview = (e: TrackedEvent) => e.name === 'pageview';

/** Each event once (by id, the first copy), cut into visits per (site, day, visitor) at more than 30 idle minutes. */
export function modelVisits(all: readonly TrackedEvent[]): ModelVisit[] {
  const unique = new Map<string, TrackedEvent>();
  for (const e of all) if (!unique.has(e.id)) unique.set(e.id, e);
  const groups = new Map<string, TrackedEvent[]>();
  for (const e of unique.values()) {
    const key = JSON.stringify([e.siteId, e.date, e.visitorId]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out: ModelVisit[] = [];
  for (const list of groups.values()) {
    list.sort(byTsThenId);
    let current: ModelVisit | undefined;
    let seq = 0;
    for (const e of list) {
      const last = current?.events.at(-1);
      if (!current || !last || e.ts - last.ts > VISIT_IDLE_MS) {
        seq += 1;
        current = { siteId: e.siteId, date: e.date, visitorId: e.visitorId, seq, events: [] };
        out.push(current);
      }
      current.events.push(e);
    }
  }
  return out;
}

/** The per-visit values rollups use. */
export function visitFacts(v: ModelVisit) {
  const [first] = v.events;
  const pageviews = v.events.filter(isPageview);
  const customs = v.events.length - pageviews.length;
  const duration = Math.floor(((v.events.at(-1)?.ts ?? 0) - (first?.ts ?? 0)) / 1000);
  const dims: Record<string, string> = {
    entry_page: pageviews[0]?.pathname ?? '',
    exit_page: pageviews.at(-1)?.pathname ?? '',
    source: first?.source ?? '',
    referrer: first?.referrer ?? '',
    utm_source: first?.utmSource ?? '',
    utm_medium: first?.utmMedium ?? '',
    utm_campaign: first?.utmCampaign ?? '',
    country: first?.country ?? '',
    device: first?.device ?? '',
    browser: first?.browser ?? '',
    os: first?.os ?? '',
  };
  return {
    hour: first?.hour ?? 0,
    dims,
    bounce: pageviews.length === 1 && customs === 0 ? 1 : 0,
    duration,
    steps: v.events.map((e) => [
      Math.floor((e.ts - (first?.ts ?? 0)) / 1000),
      isPageview(e) ? e.pathname : `event:${e.name}`,
    ]),
  };
}

interface Acc {
  row: ModelRow;
  visitors: Set<string>;
}

/** Daily (`hourly` false) or hourly rollup rows of the given events, in no particular order. */
export function modelRollups(all: readonly TrackedEvent[], hourly: boolean): ModelRow[] {
  const rows = new Map<string, Acc>();
  const add = (v: ModelVisit, hour: number, dimension: string, value: string, part: TrackedEvent[]) => {
    const f = visitFacts(v);
    const key = JSON.stringify([v.siteId, v.date, hourly ? hour : null, dimension, value]);
    const acc = rows.get(key) ?? {
      row: {
        siteId: v.siteId,
        date: v.date,
        hour: hourly ? hour : null,
        dimension,
        value,
        pageviews: 0,
        visitors: 0,
        visits: 0,
        bounces: 0,
        duration: 0,
        events: 0,
        revenue: 0,
      },
      visitors: new Set<string>(),
    };
    acc.visitors.add(v.visitorId);
    acc.row.visitors = acc.visitors.size;
    acc.row.visits += 1;
    acc.row.bounces += f.bounce;
    acc.row.duration += f.duration;
    acc.row.pageviews += part.filter(isPageview).length;
    acc.row.events += part.filter((e) => !isPageview(e)).length;
    acc.row.revenue += part.reduce((sum, e) => sum + (e.revenue ?? 0), 0);
    rows.set(key, acc);
  };
  for (const v of modelVisits(all)) {
    const f = visitFacts(v);
    add(v, f.hour, 'all', '', v.events);
    for (const d of VISIT_DIMENSIONS) add(v, f.hour, d, f.dims[d] ?? '', v.events);
    for (const [dimension, pick] of [
      ['page', (e: TrackedEvent) => e.pathname],
      ['event', (e: TrackedEvent) => e.name],
    ] as const) {
      for (const value of new Set(v.events.map(pick))) {
        add(
          v,
          f.hour,
          dimension,
          value,
          v.events.filter((e) => pick(e) === value),
        );
      }
    }
  }
  return [...rows.values()].map((a) => a.row);
}
