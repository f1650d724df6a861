import { and, between, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { visits } from '../db/schema.js';
import type { DateRange } from './periods.js';
import { intParam, ParamErrors, parsePeriod, type RawParams } from './query-params.js';

/** One funnel step: a custom event by name, or a pathname (a trailing `*` matches every path it prefixes). */
export type FunnelStep = { kind: 'event'; name: string } | { kind: 'page'; path: string; prefix: boolean };

/** A checked funnel query. */
export interface FunnelQuery {
  steps: FunnelStep[];
  labels: string[];
  /** Most seconds from the first step to the last. */
  window: number;
  range: DateRange;
}

/** One row of the funnel's answer. */
export interface FunnelRow {
  step: string;
  visitors: number;
  conversionRate: number;
}

const PAGE = 5000;

/** Checks `steps`, `window` and the period; every bad parameter is named in one 400. */
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
  errors.check();
  return { steps, labels, window, range };
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
  const json = JSON.stringify(step.kind === 'event' ? `event:${step.name}` : step.path);
  return step.kind === 'page' && step.prefix ? `,${json.slice(0, -1)}` : `,${json}]`;
}

// GLOB, not LIKE: it is case-sensitive, as the steps are; `*`, `?` and `[` are escaped as one-character classes.
const globEscape = (text: string) => text.replace(/[*?[]/g, (ch) => `[${ch}]`);

/**
 * The GLOB pattern of a visit's `steps` holding steps 1..k in order. Greedy matching from the earliest occurrence of
 * each step finds an ordered occurrence whenever one exists, so the pattern is exact, the window aside.
 */
export function orderedPattern(steps: FunnelStep[], k: number): string {
  return `*${steps
    .slice(0, k)
    .map((s) => globEscape(tokenOf(s)))
    .join('*')}*`;
}

/** Visitors (of visits that hold step 1 and outlast the window) whose depth the window may cut: matched in TypeScript. */
async function windowedDepths(db: Db, siteId: string, fq: FunnelQuery, first: string): Promise<Map<string, number>> {
  const depths = new Map<string, number>();
  const candidates = and(
    eq(visits.siteId, siteId),
    between(visits.date, fq.range.from, fq.range.to),
    sql`${visits.steps} GLOB ${first}`,
  );
  const long = await db
    .selectDistinct({ visitorId: visits.visitorId })
    .from(visits)
    .where(and(candidates, sql`${visits.endedAt} - ${visits.startedAt} > ${fq.window * 1000}`));
  // Every candidate visit of those visitors, short ones too, so that each visitor is counted on one side only.
  for (let i = 0; i < long.length; i += PAGE) {
    const ids = long.slice(i, i + PAGE).map((r) => r.visitorId);
    const rows = await db
      .select({ visitorId: visits.visitorId, steps: visits.steps })
      .from(visits)
      .where(and(candidates, sql`${visits.visitorId} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`));
    for (const r of rows) {
      const depth = depthOf(JSON.parse(r.steps) as Array<[number, string]>, fq.steps, fq.window);
      depths.set(r.visitorId, Math.max(depths.get(r.visitorId) ?? 0, depth));
    }
  }
  return depths;
}

/**
 * Session funnel: distinct visitors whose visit completed each step in order within the window. A visit no longer
 * than the window cannot be cut by it, so SQLite counts those visitors with ordered GLOB patterns in one scan; only
 * visitors with a longer candidate visit (few) are matched in TypeScript with the window.
 */
export async function funnelOf(db: Db, siteId: string, fq: FunnelQuery): Promise<FunnelRow[]> {
  const n = fq.steps.length;
  const patterns = fq.steps.map((_, k) => orderedPattern(fq.steps, k + 1));
  const [first] = patterns;
  const reached = fq.steps.map(() => 0);
  if (first) {
    const windowed = await windowedDepths(db, siteId, fq, first);
    for (const depth of windowed.values()) for (let k = 0; k < depth; k++) reached[k] = (reached[k] ?? 0) + 1;
    // Raw SQL: a CASE over ordered GLOBs, grouped per visitor then per depth, which drizzle's builder cannot say.
    const levels = sql.join(
      patterns
        .slice(1)
        .map((p, i) => sql`WHEN ${visits.steps} GLOB ${p} THEN ${i + 2}`)
        .reverse(),
      sql` `,
    );
    const rows = await db.all<{ depth: number; visitors: number }>(sql`
      SELECT depth, COUNT(*) AS visitors FROM (
        SELECT ${visits.visitorId}, MAX(CASE ${levels} ELSE 1 END) AS depth FROM ${visits}
        WHERE ${visits.siteId} = ${siteId} AND ${visits.date} BETWEEN ${fq.range.from} AND ${fq.range.to}
          AND ${visits.steps} GLOB ${first}
          AND ${visits.visitorId} NOT IN (SELECT value FROM json_each(${JSON.stringify([...windowed.keys()])}))
        GROUP BY ${visits.visitorId}
      ) GROUP BY depth`);
    for (const { depth, visitors } of rows) {
      for (let k = 0; k < Math.min(depth, n); k++) reached[k] = (reached[k] ?? 0) + visitors;
    }
  }
  const base = reached[0] ?? 0;
  return fq.labels.map((step, k) => {
    const count = reached[k] ?? 0;
    return { step, visitors: count, conversionRate: base === 0 ? 0 : Math.round((1000 * count) / base) / 10 };
  });
}
