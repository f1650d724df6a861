import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { funnelDays, visitSteps, visits } from '../db/schema.js';
import { bucketsOf, type DateRange } from './periods.js';
import { computeRaw, intParam, ParamErrors, parsePeriod, type RawParams } from './query-params.js';

/** One funnel step: a custom event by name, or a pathname (a trailing `*` matches every path it prefixes). */
export type FunnelStep = { kind: 'event'; name: string } | { kind: 'page'; path: string; prefix: boolean };

/** A checked funnel query. */
export interface FunnelQuery {
  steps: FunnelStep[];
  labels: string[];
  /** Most seconds from the first step to the last. */
  window: number;
  range: DateRange;
  /** The caller asked for the computation from raw events (`compute=raw`). */
  raw: boolean;
}

/** One row of the funnel's answer. */
export interface FunnelRow {
  step: string;
  visitors: number;
  conversionRate: number;
}

const PAGE = 5000;

/** Checks `steps`, `window`, the period and `compute`; every bad parameter is named in one 400. */
export function parseFunnelQuery(q: RawParams, today: string): FunnelQuery {
  const errors = new ParamErrors();
  const labels = (q.steps ?? '').split(',').filter((s) => s !== '');
  if (labels.length < 2 || labels.length > 8) errors.add('steps', 'From 2 to 8 steps, separated by commas.');
  const steps: FunnelStep[] = [];
  for (const label of labels) {
    if (label.startsWith('event:') && label.length > 6) steps.push({ kind: 'event', name: label.slice(6) });
    else if (label.startsWith('/')) {
      const prefix = label.endsWith('*');
      steps.push({ kind: 'page', path: prefix ? label.slice(0, -1) : label, prefix });
    } else errors.add('steps', `"${label.slice(0, 80)}" is neither a pathname (/…) nor event:<name>.`);
  }
  const window = intParam(q, 'window', 3600, 1, 86_400, errors);
  const range = parsePeriod(q, today, errors);
  const raw = computeRaw(q, errors);
  errors.check();
  return { steps, labels, window, range, raw };
}

const matches = (step: FunnelStep, value: string) =>
  step.kind === 'event'
    ? value === `event:${step.name}`
    : step.prefix
      ? value.startsWith(step.path)
      : value === step.path;

/** How many steps, in order, one visit completes within `window` seconds of its first step. */
export function depthOf(path: Array<[number, string]>, steps: FunnelStep[], window: number): number {
  const [first] = steps;
  let best = 0;
  if (!first) return 0;
  for (let i = 0; i < path.length && best < steps.length; i++) {
    const start = path[i];
    if (!start || !matches(first, start[1])) continue;
    let k = 1;
    for (let j = i + 1; j < path.length && k < steps.length; j++) {
      const [at, value] = path[j] ?? [0, ''];
      if (at - start[0] > window) break;
      const next = steps[k];
      if (next && matches(next, value)) k++;
    }
    best = Math.max(best, k);
  }
  return best;
}

/** The text a step is in a visit's `steps` JSON (`[offset,"value"]` items): exact for a page or event, open for a prefix. */
function tokenOf(step: FunnelStep): string {
  const json = JSON.stringify(stepValue(step));
  return step.kind === 'page' && step.prefix ? `,${json.slice(0, -1)}` : `,${json}]`;
}

/** The step as `visit_steps.step` and the visits' `steps` hold it: a pathname, or `event:<name>`. */
const stepValue = (step: FunnelStep) => (step.kind === 'event' ? `event:${step.name}` : step.path);

// GLOB, not LIKE: it is case-sensitive, as the steps are; `*`, `?` and `[` are escaped as one-character classes.
const globEscape = (text: string) => text.replace(/[*?[]/g, (ch) => `[${ch}]`);

/**
 * The GLOB pattern of a `visit_steps.rest` (what follows step 1 in a visit) holding steps 2..k in order. Greedy
 * matching from the earliest occurrence of each step finds an ordered occurrence whenever one exists, so the pattern
 * is exact, the window aside.
 */
export function restPattern(steps: FunnelStep[], k: number): string {
  return `*${steps
    .slice(1, k)
    .map((s) => globEscape(tokenOf(s)))
    .join('*')}*`;
}

/** The site's index rows holding step 1: the exact step, or every step a prefix opens. */
function holdingFirstStep(siteId: string, fq: FunnelQuery) {
  const [first] = fq.steps;
  const step =
    first?.kind === 'page' && first.prefix
      ? sql`${visitSteps.step} >= ${first.path} AND ${visitSteps.step} GLOB ${`${globEscape(first.path)}*`}`
      : sql`${visitSteps.step} = ${first ? stepValue(first) : ''}`;
  return sql`${visitSteps.siteId} = ${siteId} AND ${step}`;
}

/**
 * The depth of each (date, visitor) pair in `long` (visitors with a visit holding step 1 and longer than the window,
 * which the window may cut), matched step by step over every visit of theirs that day.
 */
async function windowedDepths(db: Db, siteId: string, fq: FunnelQuery, long: Array<[string, string]>) {
  const depths = new Map<string, number>();
  for (let i = 0; i < long.length; i += PAGE) {
    const pairs = JSON.stringify(long.slice(i, i + PAGE));
    // Raw SQL: drizzle cannot say a row-value IN.
    const rows = await db.all<{ date: string; visitor_id: string; steps: string }>(sql`
      SELECT ${visits.date}, ${visits.visitorId}, ${visits.steps} FROM ${visits}
      WHERE ${visits.siteId} = ${siteId}
        AND (${visits.date}, ${visits.visitorId}) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${pairs}))`);
    for (const r of rows) {
      const depth = depthOf(JSON.parse(r.steps) as Array<[number, string]>, fq.steps, fq.window);
      const key = `${r.date} ${r.visitor_id}`;
      depths.set(key, Math.max(depths.get(key) ?? 0, depth));
    }
  }
  return [...depths.values()];
}

/** One day's answer: visitors reaching each step among those the window cannot cut, and the others' ids. */
interface DayAnswer {
  date: string;
  counts: Array<number | null>;
  long: string[];
}

/** The name a funnel question is kept under: its steps and window, hashed. */
async function funnelKey(fq: FunnelQuery): Promise<string> {
  const text = JSON.stringify([fq.window, fq.labels]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Computes the answers of `days` from the funnel index and keeps them, in one statement: the rows kept are exactly
 * what was read, so a rebuild of a day either came first (and they hold its visits) or comes after and deletes them.
 */
async function computeDays(db: Db, siteId: string, fq: FunnelQuery, key: string, days: string[]) {
  const n = fq.steps.length;
  const short = sql`long = 0`;
  // Raw SQL: a CASE over ordered GLOBs, grouped per visitor then per day with FILTER aggregates, kept with INSERT …
  // SELECT … RETURNING: drizzle's builder cannot say it.
  const levels = sql.join(
    fq.steps
      .slice(1)
      .map((_, i) => sql`WHEN NOT ${visitSteps.rest} GLOB ${restPattern(fq.steps, i + 2)} THEN ${i + 1}`),
    sql` `,
  );
  const counts = sql.join(
    fq.steps.map((_, k) =>
      k === 0 ? sql`COUNT(*) FILTER (WHERE ${short})` : sql`SUM(depth >= ${k + 1}) FILTER (WHERE ${short})`,
    ),
    sql`, `,
  );
  const list = JSON.stringify(days);
  const zeros = sql.join(
    fq.steps.map(() => sql`0`),
    sql`, `,
  );
  // One key range per day (site, date, step): `date IN` a list, where BETWEEN would scan every step of each day. Days
  // without step 1 are kept too (zeros), so that asking again writes nothing.
  const rows = await db.all<{ date: string; counts: string; long: string }>(sql`
    INSERT OR REPLACE INTO ${funnelDays} (site_id, date, funnel, counts, long)
    SELECT ${siteId}, date, ${key}, json_array(${counts}), json_group_array(visitor_id) FILTER (WHERE long = 1)
    FROM (
      SELECT ${visitSteps.date} AS date, ${visitSteps.visitorId} AS visitor_id, MAX(CASE ${levels} ELSE ${n} END) AS depth,
        MAX(${visitSteps.span} > ${fq.window * 1000}) AS long
      FROM ${visitSteps}
      WHERE ${holdingFirstStep(siteId, fq)} AND ${visitSteps.date} IN (SELECT value FROM json_each(${list}))
      GROUP BY ${visitSteps.date}, ${visitSteps.visitorId}
    )
    GROUP BY date
    UNION ALL
    SELECT ${siteId}, e.value, ${key}, json_array(${zeros}), '[]' FROM json_each(${list}) e
    WHERE NOT EXISTS (SELECT 1 FROM ${visitSteps} WHERE ${holdingFirstStep(siteId, fq)} AND ${visitSteps.date} = e.value)
    RETURNING date, counts, long`);
  return rows.map(answerOf);
}

const answerOf = (r: { date: string; counts: string; long: string }): DayAnswer => ({
  date: r.date,
  counts: JSON.parse(r.counts) as Array<number | null>,
  long: JSON.parse(r.long) as string[],
});

/**
 * Session funnel: visitors whose visit completed each step in order within the window, counted per site-local day
 * and added up over the period, as the stats API adds up daily visitors. The funnel index (`visit_steps`) holds one
 * row per visit and step, so SQLite reads only the visits holding step 1, a day at a time, and finds each one's
 * depth with ordered GLOB patterns over what follows step 1. A visit no longer than the window cannot be cut by it;
 * visitors with a longer one (few) are matched in TypeScript with the window, and counted on that side only. Each
 * day's answer is kept (`funnel_days`) until a rebuild of the day, so asking again reads one row per day.
 */
export async function funnelOf(db: Db, siteId: string, fq: FunnelQuery): Promise<FunnelRow[]> {
  const key = await funnelKey(fq);
  const days = bucketsOf(fq.range, 'day');
  const kept = await db
    .select({ date: funnelDays.date, counts: funnelDays.counts, long: funnelDays.long })
    .from(funnelDays)
    .where(
      and(
        eq(funnelDays.siteId, siteId),
        eq(funnelDays.funnel, key),
        sql`${funnelDays.date} IN (SELECT value FROM json_each(${JSON.stringify(days)}))`,
      ),
    );
  const known = new Set(kept.map((r) => r.date));
  const missing = days.filter((d) => !known.has(d));
  const answers = [
    ...kept.map(answerOf),
    ...(missing.length > 0 ? await computeDays(db, siteId, fq, key, missing) : []),
  ];
  const reached = fq.steps.map((_, k) => answers.reduce((sum, a) => sum + Number(a.counts[k] ?? 0), 0));
  const long = answers.flatMap((a) => a.long.map((visitor): [string, string] => [a.date, visitor]));
  for (const depth of await windowedDepths(db, siteId, fq, long)) {
    for (let k = 0; k < depth; k++) reached[k] = (reached[k] ?? 0) + 1;
  }
  return funnelRows(fq, reached);
}

/** The answer's rows from the visitors reaching each step: each step's count and its share of step 1's. */
export function funnelRows(fq: FunnelQuery, reached: number[]): FunnelRow[] {
  const base = reached[0] ?? 0;
  return fq.labels.map((step, k) => {
    const count = reached[k] ?? 0;
    return { step, visitors: count, conversionRate: base === 0 ? 0 : Math.round((1000 * count) / base) / 10 };
  });
}
