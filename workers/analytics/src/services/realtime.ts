import { and, countDistinct, eq, gte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { events } from '../db/schema.js';

/** How far back "now" reaches for realtime visitors. */
export const REALTIME_WINDOW_MS = 5 * 60 * 1000;

/** Distinct visitors with an event in the last five minutes (raw events, by `site_id, ts`). */
export async function realtimeVisitors(db: Db, siteId: string, now = Date.now()): Promise<number> {
  const row = await db
    .select({ visitors: countDistinct(events.visitorId) })
    .from(events)
    .where(and(eq(events.siteId, siteId), gte(events.ts, now - REALTIME_WINDOW_MS)))
    .get();
  return row?.visitors ?? 0;
}
