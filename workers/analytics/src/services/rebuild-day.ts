import type { Db } from '../db/client.js';
import { REBUILD_DAY_SQL } from '../db/rollup-sql.js';

/** The statements that replace one (site, site-local day)'s visits and rollups with a recomputation from raw events. */
export function rebuildDayStatements(d1: D1Database, siteId: string, date: string): D1PreparedStatement[] {
  // Raw SQL: window functions and INSERT … SELECT over CTEs, which drizzle cannot say (see db/rollup-sql.ts). And
  // raw D1 statements, not `db.run(sql…)`: drizzle 0.45's D1 batch binds no parameters of a raw query (it reads a
  // prepared statement that raw queries lack), and a rebuild must stay one atomic batch.
  return REBUILD_DAY_SQL.map((text) => d1.prepare(text).bind(siteId, date));
}

/**
 * Rebuilds one (site, day) in one atomic batch: the old rows go and the new ones land together, so a reader sees
 * the day before or after, never half of it. Repeating it changes nothing; an interrupted run left the old day whole.
 */
export async function rebuildDay(db: Db, siteId: string, date: string): Promise<void> {
  await db.$client.batch(rebuildDayStatements(db.$client, siteId, date));
}

/** The distinct (siteId, date) pairs of `rows`, each once. */
export function daysOf(rows: readonly { siteId: string; date: string }[]): { siteId: string; date: string }[] {
  const seen = new Map<string, { siteId: string; date: string }>();
  for (const { siteId, date } of rows) seen.set(`${siteId}\u0000${date}`, { siteId, date });
  return [...seen.values()];
}
