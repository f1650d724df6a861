import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type Dimension, VISIT_DIMENSIONS, VISIT_IDLE_MS } from './dimensions.js';
import type { Filter, StatsQuery } from './query-params.js';
import { orderByMetric, type Sums, sumsOf } from './stats-metrics.js';

/**
 * Stats computed from raw events, for the queries rollups cannot answer exactly (several filters, `!=`, a filter on
 * another dimension than the breakdown) and for `compute=raw`. Visits are built exactly as db/rollup-sql.ts builds
 * them for the rollups (same cut, same first/last values, same bounce and duration), but over a range of days at
 * once, partitioned by (date, visitor): a visit never spans two site-local days.
 *
 * Filters: a visit dimension's filter keeps the visits whose value matches; `page` and `event` filters keep the
 * events that match (every such filter, on the same event). A visit counts when it passes the visit filters and has
 * a kept event; its pageviews, custom events and revenue are those of its kept events (all of them without an event
 * filter) — so one `==` filter answers exactly what its rollup row holds.
 *
 * Raw SQL: drizzle cannot say window functions (LAG, running SUM, ROW_NUMBER) over CTEs.
 */

const FIRST_EVENT_COLUMNS = VISIT_DIMENSIONS.filter((d) => d !== 'entry_page' && d !== 'exit_page');
const firstValues = FIRST_EVENT_COLUMNS.map((c) => `MAX(CASE WHEN rn = 1 THEN ${c} END) AS ${c}`).join(', ');

const visitCtes = (siteId: string, from: string, to: string) => sql`
ev AS (
  SELECT e.id, e.date, e.visitor_id, e.ts, e.hour, e.name, e.pathname, ${sql.raw(FIRST_EVENT_COLUMNS.map((c) => `e.${c}`).join(', '))},
    COALESCE(e.revenue, 0) AS revenue,
    CASE WHEN e.name = 'pageview' THEN 1 ELSE 0 END AS is_pv,
    CASE WHEN LAG(e.ts) OVER w IS NULL OR e.ts - LAG(e.ts) OVER w > ${sql.raw(String(VISIT_IDLE_MS))} THEN 1 ELSE 0 END AS starts
  FROM events e WHERE e.site_id = ${siteId} AND e.date BETWEEN ${from} AND ${to}
  WINDOW w AS (PARTITION BY e.date, e.visitor_id ORDER BY e.ts, e.id)
),
sq AS (
  SELECT *, SUM(starts) OVER (PARTITION BY date, visitor_id ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS seq FROM ev
),
pos AS MATERIALIZED (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY date, visitor_id, seq ORDER BY ts, id) AS rn,
    ROW_NUMBER() OVER (PARTITION BY date, visitor_id, seq, is_pv ORDER BY ts, id) AS pv_first,
    ROW_NUMBER() OVER (PARTITION BY date, visitor_id, seq, is_pv ORDER BY ts DESC, id DESC) AS pv_last
  FROM sq
),
vis AS MATERIALIZED (
  SELECT date, visitor_id, seq, MAX(CASE WHEN rn = 1 THEN hour END) AS hour,
    COALESCE(MAX(CASE WHEN is_pv = 1 AND pv_first = 1 THEN pathname END), '') AS entry_page,
    COALESCE(MAX(CASE WHEN is_pv = 1 AND pv_last = 1 THEN pathname END), '') AS exit_page,
    ${sql.raw(firstValues)},
    (MAX(ts) - MIN(ts)) / 1000 AS duration,
    CASE WHEN SUM(is_pv) = 1 AND SUM(1 - is_pv) = 0 THEN 1 ELSE 0 END AS bounce
  FROM pos GROUP BY date, visitor_id, seq
)`;

/** The SQL column of a dimension: the visit's value, or the event's for `page` and `event`. */
function columnOf(dimension: Dimension): SQL {
  if (dimension === 'page') return sql.raw('pos.pathname');
  if (dimension === 'event') return sql.raw('pos.name');
  return sql.raw(`v.${dimension}`);
}

function conditionOf(f: Filter): SQL {
  const list = sql.join(
    f.values.map((v) => sql`${v}`),
    sql`, `,
  );
  return f.op === 'is' ? sql`${columnOf(f.dimension)} IN (${list})` : sql`${columnOf(f.dimension)} NOT IN (${list})`;
}

/** The group key of each kept event: a breakdown value, a timeseries bucket, or `''` for the aggregate. */
function groupOf(q: StatsQuery): SQL {
  if (q.dimension) return columnOf(q.dimension);
  if (q.interval === 'day') return sql.raw('v.date');
  if (q.interval === 'month') return sql.raw('substr(v.date, 1, 7)');
  if (q.interval === 'hour') return sql.raw(`v.date || 'T' || printf('%02d', v.hour) || ':00'`);
  return sql`''`;
}

/** Sums per group (breakdown value, bucket key, or `''`), from the raw events of the site in `q.range`. */
export async function rawSums(db: Db, siteId: string, q: StatsQuery): Promise<Array<{ value: string; sums: Sums }>> {
  const where = q.filters.length ? sql.join(q.filters.map(conditionOf), sql` AND `) : sql`1`;
  const grouped = sql`
SELECT vg.g AS value, SUM(vg.pageviews) AS pageviews, COUNT(DISTINCT vg.date || '|' || vg.visitor_id) AS visitors,
  COUNT(*) AS visits, SUM(v.bounce) AS bounces, SUM(v.duration) AS duration, SUM(vg.events) AS events,
  SUM(vg.revenue) AS revenue
FROM vg JOIN vis v ON v.date = vg.date AND v.visitor_id = vg.visitor_id AND v.seq = vg.seq
GROUP BY vg.g`;
  const page = q.dimension
    ? sql`SELECT * FROM (${grouped}) ORDER BY ${orderByMetric(q.metrics[0] ?? 'visitors')} LIMIT ${q.limit} OFFSET ${q.offset}`
    : grouped;
  const rows = await db.all<Record<string, unknown>>(sql`
WITH ${visitCtes(siteId, q.range.from, q.range.to)},
vg AS (
  SELECT ${groupOf(q)} AS g, pos.date, pos.visitor_id, pos.seq,
    SUM(pos.is_pv) AS pageviews, SUM(1 - pos.is_pv) AS events, SUM(pos.revenue) AS revenue
  FROM pos JOIN vis v ON v.date = pos.date AND v.visitor_id = pos.visitor_id AND v.seq = pos.seq
  WHERE ${where}
  GROUP BY 1, pos.date, pos.visitor_id, pos.seq
)
${page}`);
  return rows.map((r) => ({ value: String(r.value ?? ''), sums: sumsOf(r) }));
}
