import { Cron } from 'croner';
import { SCHEDULES } from '../schedules.js';

/** A schedule with its latest run and its next tick. */
export interface ScheduleView {
  name: string;
  cron: string;
  jobType: string;
  lastRun: {
    jobId: string;
    scheduledTime: string;
    status: 'queued' | 'succeeded' | 'dead' | 'cancelled';
    startedAt: string | null;
    durationMs: number | null;
    error: string | null;
  } | null;
  nextRun: string | null;
}

/** Every declared schedule, its latest recorded run, and its next tick after `now` (UTC). */
export async function scheduleViews(db: D1Database, now = new Date()): Promise<ScheduleView[]> {
  const latest = await db.batch<NonNullable<ScheduleView['lastRun']>>(
    SCHEDULES.map((s) =>
      db
        .prepare(
          `SELECT job_id AS jobId, scheduled_time AS scheduledTime, status, started_at AS startedAt,
             duration_ms AS durationMs, error FROM schedule_runs WHERE schedule = ? ORDER BY scheduled_time DESC LIMIT 1`,
        )
        .bind(s.name),
    ),
  );
  return SCHEDULES.map((s, i) => ({
    name: s.name,
    cron: s.cron,
    jobType: s.type,
    lastRun: latest[i]?.results[0] ?? null,
    nextRun: new Cron(s.cron, { timezone: 'UTC', paused: true }).nextRun(now)?.toISOString() ?? null,
  }));
}
