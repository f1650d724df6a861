import { and, eq, inArray, isNotNull, lt, type SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import {
  events,
  funnelDays,
  ingestDrops,
  rollupsDaily,
  rollupsHourly,
  sites,
  userWeeks,
  visitSteps,
  visits,
} from '../db/schema.js';

/** Rows one DELETE removes: small enough to keep each statement short, large enough to finish a day in a few. */
export const PURGE_CHUNK = 5_000;

/** Wall time one purge run spends before it stops between chunks: well inside a Worker's limits. */
export const PURGE_BUDGET_MS = 20_000;

/** What one purge run removed; `more` when its time ran out with rows left for the next run. */
export interface PurgeReport {
  events: number;
  visits: number;
  /** Rows of the funnel index. */
  visitSteps: number;
  drops: number;
  deletedSites: number;
  more: boolean;
}

/** Whether the run may start another chunk. */
export type InTime = () => boolean;

/**
 * Deletes the rows of `table` matching `where`, a chunk of rowids per statement, until none are left or time is up.
 * Each chunk commits on its own, so an interrupted run keeps what it deleted and the next one carries on.
 */
export async function deleteInChunks(
  db: Db,
  table: SQLiteTable,
  where: SQL | undefined,
  inTime: InTime,
  chunk = PURGE_CHUNK,
): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0;
  while (inTime()) {
    // rowid: the one key every one of these tables has, whatever its primary key.
    const picked = db.select({ rowid: sql`rowid` }).from(table).where(where).limit(chunk);
    const result = await db.delete(table).where(inArray(sql`rowid`, picked));
    deleted += result.meta.changes;
    if (result.meta.changes < chunk) return { deleted, more: false };
  }
  return { deleted, more: true };
}

/**
 * As `deleteInChunks` for the funnel index, which has no rowid (WITHOUT ROWID): a (site, day) per statement, the
 * unit its key starts with, so each delete is one key range.
 */
export async function deleteStepDays(
  db: Db,
  where: SQL | undefined,
  inTime: InTime,
): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0;
  while (inTime()) {
    const days = await db
      .selectDistinct({ siteId: visitSteps.siteId, date: visitSteps.date })
      .from(visitSteps)
      .where(where)
      .limit(20);
    if (days.length === 0) return { deleted, more: false };
    for (const day of days) {
      if (!inTime()) return { deleted, more: true };
      const result = await db
        .delete(visitSteps)
        .where(and(eq(visitSteps.siteId, day.siteId), eq(visitSteps.date, day.date)));
      deleted += result.meta.changes;
    }
  }
  return { deleted, more: true };
}

/**
 * Removes a deleted site's events, rollups, visits, funnel index and answers and retention weeks, then its row
 * (last, so a run cut short finds the site again and continues). Answers whether rows are left.
 */
export async function purgeSite(db: Db, siteId: string, inTime: InTime): Promise<boolean> {
  for (const table of [events, rollupsHourly, rollupsDaily, visits, funnelDays, userWeeks]) {
    const { more } = await deleteInChunks(db, table, eq(table.siteId, siteId), inTime);
    if (more) return true;
  }
  if ((await deleteStepDays(db, eq(visitSteps.siteId, siteId), inTime)).more) return true;
  await db.delete(sites).where(and(eq(sites.id, siteId), isNotNull(sites.deletedAt)));
  return false;
}

/**
 * The `analytics.purge` job: raw events, visits, their funnel index and kept funnel answers older than
 * `retentionDays` (rollups stay), drop counts of days past retention, and every deleted site with all its data. Safe
 * to repeat: each step deletes only what is still there. It stops between chunks when its time budget is spent and
 * says `more`; the next daily run continues.
 */
export async function purge(
  db: Db,
  retentionDays: number,
  now = Date.now(),
  budgetMs = PURGE_BUDGET_MS,
): Promise<PurgeReport> {
  const deadline = Date.now() + budgetMs;
  const inTime = () => Date.now() < deadline;
  const cutoff = now - retentionDays * 86_400_000;
  const cutoffDate = new Date(cutoff).toISOString().slice(0, 10);
  const raw = await deleteInChunks(db, events, lt(events.ts, cutoff), inTime);
  const old = await deleteInChunks(db, visits, lt(visits.startedAt, cutoff), inTime);
  // By site-local day, the index's unit: a day goes once the cutoff's UTC date is past it.
  const steps = await deleteStepDays(db, lt(visitSteps.date, cutoffDate), inTime);
  // Kept funnel answers go with the visits they were computed from.
  const answers = await deleteInChunks(db, funnelDays, lt(funnelDays.date, cutoffDate), inTime);
  const drops = await deleteInChunks(db, ingestDrops, lt(ingestDrops.date, cutoffDate), inTime);
  let deletedSites = 0;
  let more = raw.more || old.more || steps.more || answers.more || drops.more;
  const gone = await db.select({ id: sites.id }).from(sites).where(isNotNull(sites.deletedAt)).limit(100);
  for (const { id } of gone) {
    if (!inTime() || (await purgeSite(db, id, inTime))) {
      more = true;
      break;
    }
    deletedSites += 1;
  }
  if (gone.length === 100) more = true;
  return {
    events: raw.deleted,
    visits: old.deleted,
    visitSteps: steps.deleted,
    drops: drops.deleted,
    deletedSites,
    more,
  };
}
