import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { events, platformEvents, sites, userWeeks } from '../db/schema.js';
import { PURGE_BUDGET_MS, purgeSite } from './purge.js';
import { rebuildDayStatements } from './rebuild-day.js';
import { addDays } from './site-time.js';

/** What one erasure run did; `more` when its time ran out with rows left, for the job's next attempt. */
export interface AnalyticsErasure {
  days: number;
  sites: number;
  more: boolean;
}

/**
 * The `analytics.erase-user` job. The user's sites are marked deleted (gone from every query at once) and purged
 * within the budget, or by the daily purge. Their identified events on other sites are deleted one (site, day) at a
 * time, each in one batch with that day's rebuild, so the rollups stop counting them in the same commit: rollups are
 * anonymous, but "rollups equal a recomputation from raw rows" must keep holding. Days near the retention edge, whose
 * older raw rows the purge may already have removed, are not rebuilt (that would lose others' counts); their rollups
 * hold no identifier. Then their retention weeks go, and their platform events lose the user id (amounts stay, for
 * revenue). Every step deletes only what is left, so a retry after a crash or an exhausted budget does the rest.
 */
export async function eraseAnalyticsUser(
  db: Db,
  userId: string,
  retentionDays: number,
  now = Date.now(),
  budgetMs = PURGE_BUDGET_MS,
): Promise<AnalyticsErasure> {
  const deadline = Date.now() + budgetMs;
  const inTime = () => Date.now() < deadline;
  const deletedAt = new Date(now).toISOString();
  await db
    .update(sites)
    .set({ deletedAt })
    .where(and(eq(sites.ownerId, userId), isNull(sites.deletedAt)));
  const owned = await db.select({ id: sites.id }).from(sites).where(eq(sites.ownerId, userId));
  const ownedIds = new Set(owned.map((s) => s.id));
  const rebuildFrom = addDays(new Date(now - retentionDays * 86_400_000).toISOString().slice(0, 10), 2);
  let days = 0;
  while (inTime()) {
    const touched = await db
      .selectDistinct({ siteId: events.siteId, date: events.date })
      .from(events)
      .where(eq(events.userId, userId))
      .limit(50);
    if (touched.length === 0) break;
    for (const { siteId, date } of touched) {
      const q = db
        .delete(events)
        .where(and(eq(events.userId, userId), eq(events.siteId, siteId), eq(events.date, date)))
        .toSQL();
      // Built by drizzle, run as a D1 statement: it shares a batch with the day's raw rebuild statements, which
      // drizzle's batch cannot bind (see rebuild-day.ts).
      const erase = db.$client.prepare(q.sql).bind(...q.params);
      const rebuild = ownedIds.has(siteId) || date < rebuildFrom ? [] : rebuildDayStatements(db.$client, siteId, date);
      await db.$client.batch([erase, ...rebuild]);
      days += 1;
    }
  }
  let more = !inTime();
  let purged = 0;
  for (const { id } of owned) {
    if (more || (await purgeSite(db, id, inTime))) {
      more = true;
      break;
    }
    purged += 1;
  }
  if (!more) {
    await db.batch([
      db.delete(userWeeks).where(eq(userWeeks.userId, userId)),
      db.update(platformEvents).set({ userId: null }).where(eq(platformEvents.userId, userId)),
    ]);
  }
  return { days, sites: purged, more };
}
