import { and, asc, between, eq, like, sql } from 'drizzle-orm';
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

/** The LIKE pattern a visit's `steps` JSON must match to hold the first step (a superset: LIKE ignores ASCII case). */
export function firstStepPattern(step: FunnelStep): string {
  const text = step.kind === 'event' ? `event:${step.name}` : step.path;
  const json = JSON.stringify(text);
  const body = step.kind === 'page' && step.prefix ? json.slice(0, -1) : `${json}]`;
  return `%,${body.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Session funnel: distinct visitors whose visit completed each step in order within the window. */
export async function funnelOf(db: Db, siteId: string, fq: FunnelQuery): Promise<FunnelRow[]> {
  const reached = fq.steps.map(() => new Set<string>());
  const first = fq.steps[0];
  let after: { date: string; visitorId: string; seq: number } | undefined;
  while (first) {
    const rows = await db
      .select({ date: visits.date, visitorId: visits.visitorId, seq: visits.seq, steps: visits.steps })
      .from(visits)
      .where(
        and(
          eq(visits.siteId, siteId),
          between(visits.date, fq.range.from, fq.range.to),
          sql`${like(visits.steps, firstStepPattern(first))} ESCAPE '\\'`,
          after &&
            sql`(${visits.date}, ${visits.visitorId}, ${visits.seq}) > (${after.date}, ${after.visitorId}, ${after.seq})`,
        ),
      )
      .orderBy(asc(visits.date), asc(visits.visitorId), asc(visits.seq))
      .limit(PAGE);
    for (const r of rows) {
      const depth = depthOf(JSON.parse(r.steps) as Array<[number, string]>, fq.steps, fq.window);
      for (let k = 0; k < depth; k++) reached[k]?.add(r.visitorId);
    }
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || !last) break;
    after = last;
  }
  const base = reached[0]?.size ?? 0;
  return fq.labels.map((step, k) => {
    const n = reached[k]?.size ?? 0;
    return { step, visitors: n, conversionRate: base === 0 ? 0 : Math.round((1000 * n) / base) / 10 };
  });
}
