import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/**
 * A tracked website. Events name it by `domain`; the ingest key (only its SHA-256 is kept) lets a server send
 * batches. A deleted site keeps its row (`deleted_at`) until the purge job has removed its events and rollups, so
 * its domain is free again at once but its data never lingers unowned.
 */
export const sites = sqliteTable(
  'sites',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    domain: text('domain').notNull(),
    name: text('name').notNull(),
    /** IANA time zone: days, hours and periods of every query are this zone's. */
    timezone: text('timezone').notNull(),
    ingestKeyHash: text('ingest_key_hash').notNull(),
    createdAt: createdAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [
    uniqueIndex('sites_domain_unique').on(t.domain).where(sql`${t.deletedAt} IS NULL`),
    index('sites_owner_idx').on(t.ownerId, t.createdAt),
    uniqueIndex('sites_ingest_key_unique').on(t.ingestKeyHash),
  ],
);

/**
 * One raw event, as enriched at ingest. `id` is given at ingest (or by the batch's sender) and travels with the
 * queue message, so a redelivered message inserts nothing (`INSERT OR IGNORE`). Text dimensions are `''` when
 * unknown, never null, so that rollups group them as one value. Raw rows serve drill-down and recomputation and are
 * purged after ANALYTICS_RAW_RETENTION_DAYS; rollups stay.
 */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id').notNull(),
    /** When it happened, epoch milliseconds (UTC). */
    ts: integer('ts').notNull(),
    /** The site-local day (`YYYY-MM-DD`) and hour (0–23) of `ts`, fixed at ingest in the site's time zone. */
    date: text('date').notNull(),
    hour: integer('hour').notNull(),
    /** Truncated SHA-256 of (daily salt, site, IP, User-Agent): the same person is a new visitor each day. */
    visitorId: text('visitor_id').notNull(),
    /** Set only on identified server-side events (the batch API's `userId`). */
    userId: text('user_id'),
    /** `pageview` or a custom event's name. */
    name: text('name').notNull(),
    hostname: text('hostname').notNull(),
    pathname: text('pathname').notNull(),
    /** Referrer host and path, without query; `''` for direct traffic and self-referrals. */
    referrer: text('referrer').notNull(),
    /** Referrer source (`Google`, `Twitter`, a host) or `utm_source`; `''` is direct / none. */
    source: text('source').notNull(),
    utmSource: text('utm_source').notNull(),
    utmMedium: text('utm_medium').notNull(),
    utmCampaign: text('utm_campaign').notNull(),
    /** ISO 3166-1 alpha-2 from `request.cf.country`, `''` when unknown. */
    country: text('country').notNull(),
    /** `desktop`, `mobile`, `tablet` or `''`. */
    device: text('device').notNull(),
    browser: text('browser').notNull(),
    os: text('os').notNull(),
    props: text('props', { mode: 'json' }).$type<Record<string, string>>(),
    /** Revenue in minor units of `currency` (lower-case ISO 4217). */
    revenue: integer('revenue'),
    currency: text('currency'),
  },
  (t) => [
    index('events_site_date_idx').on(t.siteId, t.date, t.visitorId, t.ts),
    index('events_site_ts_idx').on(t.siteId, t.ts),
    index('events_ts_idx').on(t.ts),
    index('events_user_idx').on(t.userId).where(sql`${t.userId} IS NOT NULL`),
  ],
);

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

/**
 * Weeks (the site-local Monday, `YYYY-MM-DD`) in which an identified user sent an event: weekly retention cohorts.
 * Kept past the raw-event purge; erased with the user.
 */
export const userWeeks = sqliteTable(
  'user_weeks',
  {
    siteId: text('site_id').notNull(),
    userId: text('user_id').notNull(),
    week: text('week').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.week, t.userId] }), index('user_weeks_user_idx').on(t.userId)],
);

/**
 * Events dropped at ingest (bots, no User-Agent, unknown domains), counted per UTC day and reason. A redelivered
 * drop message counts again: these are operator figures, not statistics.
 */
export const ingestDrops = sqliteTable(
  'ingest_drops',
  {
    date: text('date').notNull(),
    reason: text('reason', { enum: ['bot', 'no_user_agent', 'unknown_domain'] }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.date, t.reason] })],
);

/**
 * Business events from the platform-events queue (contract: PlatformEventSchema in @onasis/contracts), stored once
 * per event id. Kept (they are few), so platform figures can always be rebuilt.
 */
export const platformEvents = sqliteTable(
  'platform_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    userId: text('user_id'),
    occurredAt: text('occurred_at').notNull(),
    /** UTC day of `occurred_at`. */
    date: text('date').notNull(),
    /** The payment, refund, subscription or file the event is about. */
    subjectId: text('subject_id'),
    /** Minor units: a payment, a refund, or a subscription's monthly amount. */
    amount: integer('amount'),
    currency: text('currency'),
    /** Bytes, for file events. */
    bytes: integer('bytes'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    receivedAt: createdAt('received_at'),
  },
  (t) => [index('platform_events_type_date_idx').on(t.type, t.date), index('platform_events_user_idx').on(t.userId)],
);

/** Platform figures per UTC day, rebuilt from platform_events for each day a batch touched. */
export const platformDaily = sqliteTable(
  'platform_daily',
  {
    date: text('date').notNull(),
    /**
     * `signups`, `active_users`, `revenue:<currency>`, `refunds:<currency>`, `storage_uploaded`, `storage_deleted`,
     * `subscriptions_started`, `subscriptions_canceled`, `mrr_delta:<currency>` (MRR is their running sum).
     */
    metric: text('metric').notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.metric, t.date] })],
);

export type Site = typeof sites.$inferSelect;
export type EventRow = typeof events.$inferInsert;
export type RollupDailyRow = typeof rollupsDaily.$inferSelect;
export type RollupHourlyRow = typeof rollupsHourly.$inferSelect;
export type VisitRow = typeof visits.$inferSelect;
export type PlatformEventRow = typeof platformEvents.$inferInsert;
