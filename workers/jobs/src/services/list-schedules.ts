import { Cron } from 'croner';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { scheduleRuns } from '../db/schema.js';
import { SCHEDULES } from '../schedules.js';

/** The latest run of one schedule, or none. */
function latestRun(db: Db, schedule: string) {
  return db
    .select({
      jobId: scheduleRuns.jobId,
      scheduledTime: scheduleRuns.scheduledTime,
      status: scheduleRuns.status,
      startedAt: scheduleRuns.startedAt,
      durationMs: scheduleRuns.durationMs,
      error: scheduleRuns.error,
    })
    .from(scheduleRuns)
    .where(eq(scheduleRuns.schedule, schedule))
    .orderBy(desc(scheduleRuns.scheduledTime))
    .limit(1);
}

/** Every declared schedule, its latest recorded run, and its next tick after `now` (UTC). */
export async function listSchedules(db: Db, now = new Date()) {
  const [first, ...rest] = SCHEDULES.map((s) => latestRun(db, s.name));
  // One round trip for every schedule's latest run.
  const latest = first === undefined ? [] : await db.batch([first, ...rest]);
  return SCHEDULES.map((s, i) => ({
    name: s.name,
    cron: s.cron,
    jobType: s.type,
    lastRun: latest[i]?.[0] ?? null,
    nextRun: new Cron(s.cron, { timezone: 'UTC', paused: true }).nextRun(now)?.toISOString() ?? null,
  }));
}
