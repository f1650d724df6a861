import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Metrics every rollup row carries (see ROLLUP_DIMENSIONS in services/dimensions.ts for what each means per dimension). */
const metrics = {
  pageviews: integer('pageviews').notNull(),
  visitors: integer('visitors').notNull(),
  visits: integer('visits').notNull(),
  bounces: integer('bounces').notNull(),
  /** Sum of visit durations, seconds. */
  duration: integer('duration').notNull(),
  /** Custom (non-pageview) events. */
  events: integer('events').notNull(),
  /** Minor units, every currency added up as sent (sites report one currency). */
  revenue: integer('revenue').notNull(),
};

/**
 * One site-local day × dimension × value. Dimension `all` (value `''`) holds the day's totals. Rebuilt from raw
 * events for each day a queue batch touched, so a redelivery or a late event can never count twice. Visitors of
 * several days add up: the daily salt makes each day's visitors distinct by design, as Plausible counts them.
 */
export const rollupsDaily = sqliteTable(
  'rollups_daily',
  {
    siteId: text('site_id').notNull(),
    date: text('date').notNull(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    ...metrics,
  },
  (t) => [primaryKey({ columns: [t.siteId, t.dimension, t.date, t.value] })],
);

/** As rollups_daily, per site-local hour (0–23) of each day: the `interval=hour` timeseries and realtime-ish views. */
export const rollupsHourly = sqliteTable(
  'rollups_hourly',
  {
    siteId: text('site_id').notNull(),
    date: text('date').notNull(),
    hour: integer('hour').notNull(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    ...metrics,
  },
  (t) => [primaryKey({ columns: [t.siteId, t.dimension, t.date, t.hour, t.value] })],
);

export type RollupDailyRow = typeof rollupsDaily.$inferSelect;
export type RollupHourlyRow = typeof rollupsHourly.$inferSelect;
