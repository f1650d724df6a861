import { type SQL, sql } from 'drizzle-orm';
import type { Metric } from './dimensions.js';

/** The additive figures behind every metric, as rollup rows hold them and the raw engine adds them up. */
export interface Sums {
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  duration: number;
  events: number;
  revenue: number;
}

/** Sums of nothing: the figures of an empty bucket. */
export const NO_SUMS: Sums = { pageviews: 0, visitors: 0, visits: 0, bounces: 0, duration: 0, events: 0, revenue: 0 };

/** One metric of `s`: `bounce_rate` a rounded percentage, `visit_duration` rounded seconds, 0 without visits. */
export function metricOf(s: Sums, metric: Metric): number {
  switch (metric) {
    case 'bounce_rate':
      return s.visits === 0 ? 0 : Math.round((100 * s.bounces) / s.visits);
    case 'visit_duration':
      return s.visits === 0 ? 0 : Math.round(s.duration / s.visits);
    default:
      return s[metric];
  }
}

/** The asked metrics of `s`, in the caller's order. */
export function metricsOf(s: Sums, metrics: Metric[]): Record<string, number> {
  return Object.fromEntries(metrics.map((m) => [m, metricOf(s, m)]));
}

/** A row's sums from SQL (D1 answers numbers, or null for a sum of no rows). */
export function sumsOf(row: Partial<Record<keyof Sums, unknown>>): Sums {
  const n = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
  return {
    pageviews: n(row.pageviews),
    visitors: n(row.visitors),
    visits: n(row.visits),
    bounces: n(row.bounces),
    duration: n(row.duration),
    events: n(row.events),
    revenue: n(row.revenue),
  };
}

/**
 * The ORDER BY of a breakdown over a relation with the `Sums` columns: the metric as `metricOf` rounds it (SQLite's
 * round() agrees with Math.round on positive values), so that ties fall to `value`.
 */
export function orderByMetric(metric: Metric): SQL {
  const key =
    metric === 'bounce_rate'
      ? sql`CASE WHEN visits = 0 THEN 0 ELSE round(100.0 * bounces / visits) END`
      : metric === 'visit_duration'
        ? sql`CASE WHEN visits = 0 THEN 0 ELSE round(1.0 * duration / visits) END`
        : sql.raw(metric);
  return sql`${key} DESC, value ASC`;
}
