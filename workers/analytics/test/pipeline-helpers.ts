import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { JobOutcome, JobRun, JobType } from '@onasis/contracts';
import { and, asc, eq } from 'drizzle-orm';
import { dbOf } from '../src/db/client.js';
import { rollupsDaily, rollupsHourly, visits } from '../src/db/schema.js';
import worker from '../src/index.js';
import type { TrackedEvent } from '../src/services/tracked-event.js';

/** The test's drizzle client on the Worker's D1. */
export const db = () => dbOf(env.DB);

/** A fresh site id, so tests of one file never read each other's rows. */
export const someSite = () => `site_${crypto.randomUUID()}`;

/** Epoch ms of a UTC instant `YYYY-MM-DDTHH:MM`. */
export const at = (iso: string) => Date.parse(`${iso}:00Z`);

/** A well-formed queued event: a pageview of `/` on a UTC day, unless the overrides say otherwise. */
export function tracked(overrides: Partial<TrackedEvent> & { siteId: string; ts: number }): TrackedEvent {
  const iso = new Date(overrides.ts).toISOString();
  return {
    kind: 'event',
    id: `evt_${crypto.randomUUID()}`,
    date: iso.slice(0, 10),
    hour: Number(iso.slice(11, 13)),
    visitorId: 'visitor-a',
    userId: null,
    name: 'pageview',
    hostname: 'example.com',
    pathname: '/',
    referrer: '',
    source: '',
    utmSource: '',
    utmMedium: '',
    utmCampaign: '',
    country: 'FR',
    device: 'desktop',
    browser: 'Firefox',
    os: 'Linux',
    props: null,
    revenue: null,
    currency: null,
    ...overrides,
  };
}

/** Hands `bodies` to the Worker's own queue handler as one batch of the analytics-events queue; answers its outcome. */
export async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    'onasis-analytics-events',
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** A site's daily rollup rows of one day, ordered. */
export const dailyRows = (siteId: string, date: string) =>
  db()
    .select()
    .from(rollupsDaily)
    .where(and(eq(rollupsDaily.siteId, siteId), eq(rollupsDaily.date, date)))
    .orderBy(asc(rollupsDaily.dimension), asc(rollupsDaily.value));

/** One daily rollup row (the totals unless a dimension and value are given), or undefined. */
export async function dailyRow(siteId: string, date: string, dimension = 'all', value = '') {
  const rows = await dailyRows(siteId, date);
  return rows.find((r) => r.dimension === dimension && r.value === value);
}

/** A site's hourly rollup rows of one day. */
export const hourlyRows = (siteId: string, date: string) =>
  db()
    .select()
    .from(rollupsHourly)
    .where(and(eq(rollupsHourly.siteId, siteId), eq(rollupsHourly.date, date)))
    .orderBy(asc(rollupsHourly.dimension), asc(rollupsHourly.hour), asc(rollupsHourly.value));

/** A site's visits of one day, by visitor and number. */
export const visitRows = (siteId: string, date: string) =>
  db()
    .select()
    .from(visits)
    .where(and(eq(visits.siteId, siteId), eq(visits.date, date)))
    .orderBy(asc(visits.visitorId), asc(visits.seq));

/** Runs an analytics job through the Worker's RPC entrypoint, as the jobs Worker does. */
export function runJob(type: JobType, payload: unknown = {}): Promise<JobOutcome> {
  const run: JobRun = {
    id: `job_${crypto.randomUUID()}`,
    type,
    payload,
    attempt: 1,
    maxAttempts: 5,
    scheduledFor: new Date().toISOString(),
  };
  return exports.AnalyticsService.runJob(run);
}
