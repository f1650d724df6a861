/**
 * The dimensions rollups are kept for, as the query API names them. Every rollup row holds one dimension's value;
 * dimension `all` (value `''`) holds the totals.
 *
 * What a row's metrics count depends on whether the dimension belongs to the visit or to each event:
 * - visit dimensions take the visit's value (its first event's; `entry_page` its first pageview's, `exit_page` its
 *   last pageview's, `''` for a visit without pageviews): the row counts the pageviews, visitors, visits, bounces,
 *   duration, custom events and revenue of the visits with that value;
 * - `page`: pageviews of that pathname, the visitors and visits that viewed it or sent an event from it, their
 *   bounces (a bounce is one pageview and no custom event) and whole durations, custom events and revenue sent from
 *   it;
 * - `event`: `pageview` or a custom event's name: its count (`pageviews` for pageviews, `events` for the others),
 *   the visitors and visits that sent it, their bounces and duration, and the revenue it carried.
 */
export const VISIT_DIMENSIONS = [
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
] as const;

/** Dimensions of each event rather than of its visit. */
export const EVENT_DIMENSIONS = ['page', 'event'] as const;

/** Every dimension a breakdown or a filter may name. */
export const DIMENSIONS = [...EVENT_DIMENSIONS, ...VISIT_DIMENSIONS] as const;

/** One dimension of the query API. */
export type Dimension = (typeof DIMENSIONS)[number];

/** The pseudo-dimension of the totals rows. */
export const TOTALS = 'all';

/** Every metric the stats API answers; `bounce_rate` and `visit_duration` are derived (bounces / visits, duration / visits). */
export const METRICS = [
  'visitors',
  'pageviews',
  'visits',
  'bounce_rate',
  'visit_duration',
  'events',
  'revenue',
] as const;

/** One metric of the stats API. */
export type Metric = (typeof METRICS)[number];

/** Idle time after which a visitor's next event starts a new visit. */
export const VISIT_IDLE_MS = 30 * 60 * 1000;
