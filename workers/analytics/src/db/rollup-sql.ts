/**
 * The SQL that rebuilds one site-local day of one site from its raw events: its visits and their funnel index (the
 * day's kept funnel answers go), daily and hourly rollups.
 * Plain strings with no imports, so the seed script runs the very same statements with `node:sqlite`. Every
 * statement binds two `?` in this order: the site id, then the day (`YYYY-MM-DD`). Run them in `REBUILD_DAY_SQL`'s
 * order inside one batch (a D1 `batch()` or a SQLite transaction): the deletes first, so a rebuild replaces the day.
 *
 * Raw SQL: drizzle cannot say window functions (LAG, running SUM, ROW_NUMBER) or INSERT … SELECT over CTEs.
 *
 * Meanings, fixed here and mirrored by the property test's TypeScript recomputation:
 * - a visit is one visitor's events of the day ordered by (ts, id), cut where more than 30 idle minutes
 *   (VISIT_IDLE_MS) pass between two events; `seq` numbers a visitor's visits from 1;
 * - its visit dimensions are its first event's; `entry_page` / `exit_page` its first / last pageview's pathname
 *   (`''` when it has no pageview); its duration is (last ts − first ts) in whole seconds, rounded down;
 * - a bounce is a visit of exactly one pageview and no custom event (as Plausible: one pageview is a bounce; a
 *   custom event shows engagement);
 * - `page` and `event` rows count, per value, the visits that sent an event with that pathname / name (their
 *   visitors, bounces and whole durations) and the pageviews, custom events and revenue of those events only;
 * - hourly rows count each visit, with all its events, in the site-local hour its first event fell in, so the hours
 *   of a day add up to the day for every metric but visitors.
 */

/** Visit idle gap in milliseconds (VISIT_IDLE_MS in services/dimensions.ts; repeated here to keep this file import-free). */
const IDLE_MS = 1_800_000;

/** Every visit dimension's column in the visit CTE, in the order of VISIT_DIMENSIONS (same names as dimensions). */
const VISIT_COLUMNS = [
  'entry_page',
  'exit_page',
  'source',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'device',
  'browser',
  'os',
];

/** Visit dimensions taken from the visit's first event (all but entry/exit page). */
const FIRST_EVENT_COLUMNS = VISIT_COLUMNS.slice(2);

// `p` carries the two parameters, so each statement binds them once whatever it reads them for. Two sorts in all:
// `ev` numbers each visitor's events (`k`) and flags visit starts, `pos` numbers visits; then `vis` is one row per
// visit, its entry/exit pathname picked as the pageview of lowest/highest `k` by a zero-padded string MIN/MAX, which
// costs far less than a window per ordering. MATERIALIZED: several arms read them.
const VISIT_CTES = `
p AS (SELECT ? AS site_id, ? AS date),
ev AS (
  SELECT e.id, e.visitor_id, e.ts, e.hour, e.name, e.pathname, ${FIRST_EVENT_COLUMNS.map((c) => `e.${c}`).join(', ')},
    COALESCE(e.revenue, 0) AS revenue,
    CASE WHEN e.name = 'pageview' THEN 1 ELSE 0 END AS is_pv,
    ROW_NUMBER() OVER w AS k,
    CASE WHEN LAG(e.ts) OVER w IS NULL OR e.ts - LAG(e.ts) OVER w > ${IDLE_MS} THEN 1 ELSE 0 END AS starts
  FROM p JOIN events e ON e.site_id = p.site_id AND e.date = p.date
  WINDOW w AS (PARTITION BY e.visitor_id ORDER BY e.ts, e.id)
),
pos AS MATERIALIZED (
  SELECT *, SUM(starts) OVER (PARTITION BY visitor_id ORDER BY k ROWS UNBOUNDED PRECEDING) AS seq FROM ev
),
vis AS MATERIALIZED (
  SELECT visitor_id, seq, MIN(ts) AS started_at, MAX(ts) AS ended_at,
    MAX(CASE WHEN starts = 1 THEN hour END) AS hour,
    COALESCE(substr(MIN(CASE WHEN is_pv = 1 THEN printf('%010d', k) || pathname END), 11), '') AS entry_page,
    COALESCE(substr(MAX(CASE WHEN is_pv = 1 THEN printf('%010d', k) || pathname END), 11), '') AS exit_page,
    ${FIRST_EVENT_COLUMNS.map((c) => `MAX(CASE WHEN starts = 1 THEN ${c} END) AS ${c}`).join(',\n    ')},
    SUM(is_pv) AS pageviews, SUM(1 - is_pv) AS events, SUM(revenue) AS revenue,
    (MAX(ts) - MIN(ts)) / 1000 AS duration,
    CASE WHEN SUM(is_pv) = 1 AND SUM(1 - is_pv) = 0 THEN 1 ELSE 0 END AS bounce
  FROM pos GROUP BY visitor_id, seq
)`;

// json_each, not a UNION of constants: D1 caps the terms of a compound SELECT.
const DIMENSION_LIST = `SELECT j.value AS dimension FROM json_each('${JSON.stringify(['all', ...VISIT_COLUMNS])}') j`;

/** One arm per visit dimension (and the totals), then `page` and `event` from each visit's events. */
function rollupSelect(hourly: boolean): string {
  const hour = hourly ? 'v.hour, ' : '';
  const byHour = hourly ? ', v.hour' : '';
  const value = `CASE d.dimension WHEN 'all' THEN '' ${VISIT_COLUMNS.map((c) => `WHEN '${c}' THEN v.${c}`).join(' ')} END`;
  return `
SELECT p.site_id, p.date, ${hour}d.dimension, ${value} AS value,
  SUM(v.pageviews), COUNT(DISTINCT v.visitor_id), COUNT(*), SUM(v.bounce), SUM(v.duration), SUM(v.events), SUM(v.revenue)
FROM vis v CROSS JOIN (${DIMENSION_LIST}) d CROSS JOIN p
GROUP BY d.dimension, value${byHour}
UNION ALL
SELECT p.site_id, p.date, ${hour}x.dimension, x.value,
  SUM(x.pageviews), COUNT(DISTINCT v.visitor_id), COUNT(*), SUM(v.bounce), SUM(v.duration), SUM(x.events), SUM(x.revenue)
FROM (
  SELECT 'page' AS dimension, pathname AS value, visitor_id, seq,
    SUM(is_pv) AS pageviews, SUM(1 - is_pv) AS events, SUM(revenue) AS revenue
  FROM pos GROUP BY visitor_id, seq, pathname
  UNION ALL
  SELECT 'event', name, visitor_id, seq, SUM(is_pv), SUM(1 - is_pv), SUM(revenue)
  FROM pos GROUP BY visitor_id, seq, name
) x JOIN vis v ON v.visitor_id = x.visitor_id AND v.seq = x.seq CROSS JOIN p
GROUP BY x.dimension, x.value${byHour}`;
}

const METRIC_COLUMNS = 'pageviews, visitors, visits, bounces, duration, events, revenue';

/** Deletes the day's daily rollups of the site. */
export const DELETE_DAILY_SQL = 'DELETE FROM rollups_daily WHERE site_id = ? AND date = ?';

/** Deletes the day's hourly rollups of the site. */
export const DELETE_HOURLY_SQL = 'DELETE FROM rollups_hourly WHERE site_id = ? AND date = ?';

/** Deletes the day's visits of the site. */
export const DELETE_VISITS_SQL = 'DELETE FROM visits WHERE site_id = ? AND date = ?';

/** Recomputes the day's visits, `steps` ordered by (ts, id) through an ordered window, never by chance. */
export const INSERT_VISITS_SQL = `WITH ${VISIT_CTES},
steps AS (
  SELECT pos.visitor_id, pos.seq, pos.starts,
    json_group_array(json_array((pos.ts - v.started_at) / 1000,
      CASE WHEN pos.is_pv = 1 THEN pos.pathname ELSE 'event:' || pos.name END))
      OVER (PARTITION BY pos.visitor_id, pos.seq ORDER BY pos.k
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS steps
  FROM pos JOIN vis v ON v.visitor_id = pos.visitor_id AND v.seq = pos.seq
)
INSERT INTO visits (site_id, date, visitor_id, seq, started_at, ended_at, pageviews, events, steps)
SELECT p.site_id, p.date, v.visitor_id, v.seq, v.started_at, v.ended_at, v.pageviews, v.events, s.steps
FROM vis v JOIN steps s ON s.visitor_id = v.visitor_id AND s.seq = v.seq AND s.starts = 1 CROSS JOIN p`;

/** Deletes the day's funnel index of the site. */
export const DELETE_VISIT_STEPS_SQL = 'DELETE FROM visit_steps WHERE site_id = ? AND date = ?';

/** Deletes the day's kept funnel answers of the site, which its rebuilt visits may change. */
export const DELETE_FUNNEL_DAYS_SQL = 'DELETE FROM funnel_days WHERE site_id = ? AND date = ?';

/**
 * Recomputes the day's funnel index from the day's visits (so it runs after INSERT_VISITS_SQL): one row per visit and
 * distinct step, `rest` the visit's `steps` text after the step's first `,"<step>"]` (json_quote escapes the step as
 * json_array wrote it, so the text is found exactly), `span` the visit's length in ms.
 */
export const INSERT_VISIT_STEPS_SQL = `WITH p AS (SELECT ? AS site_id, ? AS date),
day AS (
  SELECT v.visitor_id, v.seq, v.ended_at - v.started_at AS span, v.steps
  FROM p JOIN visits v ON v.site_id = p.site_id AND v.date = p.date
),
named AS (SELECT DISTINCT day.visitor_id, day.seq, j.value ->> 1 AS step FROM day, json_each(day.steps) j)
INSERT INTO visit_steps (site_id, date, step, visitor_id, seq, span, rest)
SELECT p.site_id, p.date, n.step, n.visitor_id, n.seq, d.span,
  substr(d.steps, instr(d.steps, ',' || json_quote(n.step) || ']') + length(json_quote(n.step)) + 2)
FROM named n JOIN day d ON d.visitor_id = n.visitor_id AND d.seq = n.seq CROSS JOIN p`;

/** Recomputes the day's daily rollups: totals (`all`, value `''`) and every dimension's values. */
export const INSERT_DAILY_SQL = `WITH ${VISIT_CTES}
INSERT INTO rollups_daily (site_id, date, dimension, value, ${METRIC_COLUMNS})
${rollupSelect(false)}`;

/** Recomputes the day's hourly rollups, each visit in the hour it started. */
export const INSERT_HOURLY_SQL = `WITH ${VISIT_CTES}
INSERT INTO rollups_hourly (site_id, date, hour, dimension, value, ${METRIC_COLUMNS})
${rollupSelect(true)}`;

/** The whole rebuild of one (site, day), in order; each statement binds (siteId, date). */
export const REBUILD_DAY_SQL = [
  DELETE_DAILY_SQL,
  DELETE_HOURLY_SQL,
  DELETE_VISITS_SQL,
  DELETE_VISIT_STEPS_SQL,
  DELETE_FUNNEL_DAYS_SQL,
  INSERT_VISITS_SQL,
  INSERT_VISIT_STEPS_SQL,
  INSERT_DAILY_SQL,
  INSERT_HOURLY_SQL,
] as const;
