import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { forwardTo } from '@onasis/testing';
import { expect } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { type EventRow, events, type RollupDailyRow, rollupsDaily, type Site, sites } from '../src/db/schema.js';
import { rebuildDayStatements } from '../src/services/rebuild-day.js';
import { localTime } from '../src/services/site-time.js';

/** The test's drizzle client on the Worker's D1. */
export const db = () => dbOf(env.DB);

/** Sends a request the way the gateway forwards it. */
export const forward = forwardTo('analytics', () => exports.AnalyticsService);

/** A member who may read and write their own sites. */
export const member = (userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`): Principal => ({
  userId,
  sessionId: `ses_${userId}`,
  permissions: ['analytics:read', 'analytics:write'],
  via: 'access_token',
});

/** An admin, who may read every site and ask for `compute=raw`. */
export const admin = (): Principal => ({
  ...member(),
  permissions: ['analytics:read', 'analytics:write', 'analytics:manage'],
});

/** A live site of `owner` in `timezone`, written straight to D1. */
export async function siteOf(owner: Principal, timezone = 'UTC', overrides: Partial<Site> = {}): Promise<Site> {
  const id = `sit_${crypto.randomUUID().replaceAll('-', '')}`;
  return db()
    .insert(sites)
    .values({
      id,
      ownerId: owner.userId,
      domain: `${id}.example.com`,
      name: 'Test site',
      timezone,
      ingestKeyHash: id,
      ...overrides,
    })
    .returning()
    .get();
}

/** A raw event of `site` at `ts` (epoch ms), its site-local date and hour derived as ingest does. */
export function rawEvent(site: Site, ts: number, overrides: Partial<EventRow> = {}): EventRow {
  const { date, hour } = localTime(ts, site.timezone);
  return {
    id: `evt_${crypto.randomUUID()}`,
    siteId: site.id,
    ts,
    date,
    hour,
    visitorId: 'v1',
    userId: null,
    name: 'pageview',
    hostname: site.domain,
    pathname: '/',
    referrer: '',
    source: '',
    utmSource: '',
    utmMedium: '',
    utmCampaign: '',
    country: '',
    device: 'desktop',
    browser: 'Firefox',
    os: 'Linux',
    props: null,
    revenue: null,
    currency: null,
    ...overrides,
  };
}

/**
 * Stores raw events and rebuilds the rollups and visits of every day they fall on with the consumer's own SQL, as a
 * queue batch leaves them.
 */
export async function storeAndRollUp(site: Site, rows: EventRow[]): Promise<void> {
  // 22 columns a row: four rows stay under D1's 100 bound parameters.
  for (let i = 0; i < rows.length; i += 4)
    await db()
      .insert(events)
      .values(rows.slice(i, i + 4));
  const days = [...new Set(rows.map((r) => r.date))];
  await env.DB.batch(days.flatMap((d) => rebuildDayStatements(env.DB, site.id, d)));
}

const NO_METRICS = { pageviews: 0, visitors: 0, visits: 0, bounces: 0, duration: 0, events: 0, revenue: 0 };

/** Daily rollup rows written by hand (metrics default to 0, dimension to the totals). */
export async function dailyRollups(site: Site, rows: Array<Partial<RollupDailyRow> & { date: string }>) {
  const full = rows.map((r) => ({ siteId: site.id, dimension: 'all', value: '', ...NO_METRICS, ...r }));
  // 11 columns a row: nine rows stay under D1's 100 bound parameters.
  for (let i = 0; i < full.length; i += 9)
    await db()
      .insert(rollupsDaily)
      .values(full.slice(i, i + 9));
}

/** GETs a path of the site's query API as `who`. */
export const siteGet = (site: Site, path: string, who: Principal) =>
  forward(`/api/v1/analytics/sites/${site.id}${path}`, {}, { principal: who });

/** GETs `/stats?query` and answers its JSON, expecting a 200. */
export async function statsOf<T = unknown>(
  site: Site,
  query: string,
  who: Principal,
): Promise<{ data: T; meta: { source: string; rawFrom?: string } }> {
  const res = await siteGet(site, `/stats?${query}`, who);
  if (res.status !== 200) expect(await res.text()).toBe('a 200');
  return res.json();
}
