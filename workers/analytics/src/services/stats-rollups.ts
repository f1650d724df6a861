import { and, between, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rollupsDaily, rollupsHourly } from '../db/schema.js';
import { TOTALS } from './dimensions.js';
import { hourKey } from './periods.js';
import type { StatsQuery } from './query-params.js';
import { orderByMetric, type Sums, sumsOf } from './stats-metrics.js';

/** Which rollup rows answer a query exactly: one dimension's rows, optionally only some of its values. */
export interface RollupSource {
  dimension: string;
  values?: string[];
}

/**
 * The rollup rows that answer `q` exactly, or null when only raw events can. Adding rows up is exact only within one
 * dimension and one value per visit or event: no filter; one `==` filter on the breakdown's own dimension (its
 * values are groups of their own); or one `==` filter with a single value and no breakdown. Alternatives without a
 * breakdown would count a visitor seen with two of them twice, so they go raw.
 */
export function rollupSourceOf(q: StatsQuery): RollupSource | null {
  if (q.raw) return null;
  const [only, ...more] = q.filters;
  if (!only) return { dimension: q.dimension ?? TOTALS, values: q.dimension ? undefined : [''] };
  if (more.length > 0 || only.op !== 'is') return null;
  if (q.dimension !== undefined)
    return q.dimension === only.dimension ? { dimension: q.dimension, values: only.values } : null;
  return only.values.length === 1 ? { dimension: only.dimension, values: only.values } : null;
}

type Table = typeof rollupsDaily | typeof rollupsHourly;

const sumColumns = (t: Table) => ({
  pageviews: sql<number>`sum(${t.pageviews})`.as('pageviews'),
  visitors: sql<number>`sum(${t.visitors})`.as('visitors'),
  visits: sql<number>`sum(${t.visits})`.as('visits'),
  bounces: sql<number>`sum(${t.bounces})`.as('bounces'),
  duration: sql<number>`sum(${t.duration})`.as('duration'),
  events: sql<number>`sum(${t.events})`.as('events'),
  revenue: sql<number>`sum(${t.revenue})`.as('revenue'),
});

function whereOf(t: Table, siteId: string, q: StatsQuery, src: RollupSource): SQL | undefined {
  return and(
    eq(t.siteId, siteId),
    eq(t.dimension, src.dimension),
    between(t.date, q.range.from, q.range.to),
    src.values ? inArray(t.value, src.values) : undefined,
  );
}

/** The period's sums: the daily rows added up (one day's row as is, never its hours). */
export async function rollupAggregate(db: Db, siteId: string, q: StatsQuery, src: RollupSource): Promise<Sums> {
  const t = rollupsDaily;
  const row = await db
    .select(sumColumns(t))
    .from(t)
    .where(whereOf(t, siteId, q, src))
    .get();
  return sumsOf(row ?? {});
}

/** Sums per bucket key (`YYYY-MM-DD`, `YYYY-MM` or `YYYY-MM-DDTHH:00`); empty buckets are absent. */
export async function rollupSeries(
  db: Db,
  siteId: string,
  q: StatsQuery,
  src: RollupSource,
): Promise<Map<string, Sums>> {
  const out = new Map<string, Sums>();
  if (q.interval === 'hour') {
    const t = rollupsHourly;
    const rows = await db
      .select({ date: t.date, hour: t.hour, ...sumColumns(t) })
      .from(t)
      .where(whereOf(t, siteId, q, src))
      .groupBy(t.date, t.hour);
    for (const r of rows) out.set(hourKey(r.date, r.hour), sumsOf(r));
    return out;
  }
  const t = rollupsDaily;
  const bucket = q.interval === 'month' ? sql<string>`substr(${t.date}, 1, 7)` : sql<string>`${t.date}`;
  const rows = await db
    .select({ bucket: bucket.as('bucket'), ...sumColumns(t) })
    .from(t)
    .where(whereOf(t, siteId, q, src))
    .groupBy(bucket);
  for (const r of rows) out.set(r.bucket, sumsOf(r));
  return out;
}

/** One page of a breakdown: values ordered by the first metric (desc), then value. */
export async function rollupBreakdown(
  db: Db,
  siteId: string,
  q: StatsQuery,
  src: RollupSource,
): Promise<Array<{ value: string; sums: Sums }>> {
  const t = rollupsDaily;
  const grouped = db
    .select({ value: t.value, ...sumColumns(t) })
    .from(t)
    .where(whereOf(t, siteId, q, src))
    .groupBy(t.value)
    .as('grouped');
  const rows = await db
    .select()
    .from(grouped)
    .orderBy(orderByMetric(q.metrics[0] ?? 'visitors'))
    .limit(q.limit)
    .offset(q.offset);
  return rows.map((r) => ({ value: r.value, sums: sumsOf(r) }));
}
