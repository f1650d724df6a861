import type { Db } from '../db/client.js';
import type { Site } from '../db/schema.js';
import { bucketsOf } from './periods.js';
import type { StatsQuery } from './query-params.js';
import { addDays } from './site-time.js';
import { metricsOf, NO_SUMS, type Sums } from './stats-metrics.js';
import { rawSums } from './stats-raw.js';
import { rollupAggregate, rollupBreakdown, rollupSeries, rollupSourceOf } from './stats-rollups.js';

/** Where an answer came from; `rawFrom` is the first day raw events are kept for, when the period starts earlier. */
export interface StatsMeta {
  source: 'rollups' | 'raw';
  rawFrom?: string;
}

/** An aggregate, a timeseries or a breakdown, as the stats API answers it. */
export type StatsAnswer = {
  data: Record<string, number> | Array<Record<string, number | string>>;
  meta: StatsMeta;
};

/** What computing a query needs besides the query: the database, today's site-local date and the raw retention. */
export interface StatsDeps {
  db: Db;
  today: string;
  retentionDays: number;
}

/** Answers a checked stats query for `site`, from rollups when they answer it exactly, else from raw events. */
export async function runStats(deps: StatsDeps, site: Site, q: StatsQuery): Promise<StatsAnswer> {
  const src = rollupSourceOf(q);
  let meta: StatsMeta = { source: 'rollups' };
  let groups: Map<string, Sums> | undefined;
  let ordered: Array<{ value: string; sums: Sums }> = [];
  if (src) {
    if (q.dimension) ordered = await rollupBreakdown(deps.db, site.id, q, src);
    else if (q.interval) groups = await rollupSeries(deps.db, site.id, q, src);
    else groups = new Map([['', await rollupAggregate(deps.db, site.id, q, src)]]);
  } else {
    ordered = await rawSums(deps.db, site.id, q);
    const rawFrom = addDays(deps.today, -deps.retentionDays);
    meta = q.range.from < rawFrom ? { source: 'raw', rawFrom } : { source: 'raw' };
  }
  groups ??= new Map(ordered.map((r) => [r.value, r.sums]));
  if (q.dimension) return { data: ordered.map((r) => ({ value: r.value, ...metricsOf(r.sums, q.metrics) })), meta };
  if (q.interval) {
    const data = bucketsOf(q.range, q.interval).map((date) => ({
      date,
      ...metricsOf(groups.get(date) ?? NO_SUMS, q.metrics),
    }));
    return { data, meta };
  }
  return { data: metricsOf(groups.get('') ?? NO_SUMS, q.metrics), meta };
}
