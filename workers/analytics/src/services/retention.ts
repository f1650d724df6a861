import { and, count, eq, min, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { userWeeks } from '../db/schema.js';
import { addDays, weekOf } from './site-time.js';

/** One weekly cohort: its Monday, its users, and the percentage of them active k weeks later (k = 0, 1, …). */
export interface Cohort {
  cohort: string;
  users: number;
  weeks: number[];
}

/** Percentage with one decimal. */
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);

/**
 * Weekly cohorts of identified users over the last `weeks` site-local weeks (this one included): a user's cohort is
 * the first week they were active in; each cohort lists only the weeks that have begun.
 */
export async function retentionCohorts(db: Db, siteId: string, today: string, weeks: number): Promise<Cohort[]> {
  const thisWeek = weekOf(today);
  const firstCohort = addDays(thisWeek, -7 * (weeks - 1));
  const firsts = db
    .select({ userId: userWeeks.userId, cohort: min(userWeeks.week).as('cohort') })
    .from(userWeeks)
    .where(eq(userWeeks.siteId, siteId))
    .groupBy(userWeeks.userId)
    .as('firsts');
  const rows = await db
    .select({ cohort: sql<string>`${firsts.cohort}`, week: userWeeks.week, users: count() })
    .from(firsts)
    .innerJoin(userWeeks, and(eq(userWeeks.siteId, siteId), eq(userWeeks.userId, firsts.userId)))
    .where(sql`${firsts.cohort} >= ${firstCohort}`)
    .groupBy(sql`${firsts.cohort}`, userWeeks.week);
  const active = new Map(rows.map((r) => [`${r.cohort}|${r.week}`, r.users]));
  const cohorts: Cohort[] = [];
  for (let cohort = firstCohort; cohort <= thisWeek; cohort = addDays(cohort, 7)) {
    const users = active.get(`${cohort}|${cohort}`) ?? 0;
    const shares: number[] = [];
    for (let week = cohort; week <= thisWeek; week = addDays(week, 7)) {
      shares.push(percent(active.get(`${cohort}|${week}`) ?? 0, users));
    }
    cohorts.push({ cohort, users, weeks: shares });
  }
  return cohorts;
}
