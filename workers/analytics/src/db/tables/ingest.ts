import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

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

export type Site = typeof sites.$inferSelect;
export type EventRow = typeof events.$inferInsert;
