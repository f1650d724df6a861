import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One visit (events of one visitor on one site-local day, split where 30 minutes pass idle), rebuilt with the day's
 * rollups. `steps` is the visit's ordered path for funnels: a JSON array of `[secondsSinceStart, step]`, where a
 * step is a pageview's pathname or `event:<name>` for a custom event.
 */
export const visits = sqliteTable(
  'visits',
  {
    siteId: text('site_id').notNull(),
    date: text('date').notNull(),
    visitorId: text('visitor_id').notNull(),
    seq: integer('seq').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at').notNull(),
    pageviews: integer('pageviews').notNull(),
    events: integer('events').notNull(),
    steps: text('steps').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date, t.visitorId, t.seq] })],
);

/**
 * The funnel index, rebuilt with the day's visits: one row per visit and distinct step in it (a pathname, or
 * `event:<name>`), keyed so that a funnel reads only the visits holding its first step, a day at a time. `rest` is
 * the visit's `steps` text after that step's first occurrence, which the funnel's ordered GLOB patterns read; `span`
 * the visit's length in ms, which says whether the funnel window can cut it. The migration makes it WITHOUT ROWID
 * (drizzle cannot declare that): rows sit in key order, so a funnel's scan reads `rest` without a lookup per row.
 */
export const visitSteps = sqliteTable(
  'visit_steps',
  {
    siteId: text('site_id').notNull(),
    date: text('date').notNull(),
    step: text('step').notNull(),
    visitorId: text('visitor_id').notNull(),
    seq: integer('seq').notNull(),
    span: integer('span').notNull(),
    rest: text('rest').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date, t.step, t.visitorId, t.seq] })],
);

/**
 * Funnel answers per site-local day, kept as they are asked: `funnel` names the question (a hash of its steps and
 * window), `counts` the visitors reaching each step among those the window cannot cut (a JSON array), `long` the
 * visitor ids of the others, matched in TypeScript on every read. Per-day counts add up because the funnel counts
 * visitors per day. A rebuild of the day deletes its rows in the same batch that replaces its visits, so a row always
 * answers for the visits that are there.
 */
export const funnelDays = sqliteTable(
  'funnel_days',
  {
    siteId: text('site_id').notNull(),
    date: text('date').notNull(),
    funnel: text('funnel').notNull(),
    counts: text('counts').notNull(),
    long: text('long').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date, t.funnel] })],
);

export type VisitRow = typeof visits.$inferSelect;
