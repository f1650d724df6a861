import { newId } from '@onasis/contracts';
import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { scheduleRuns } from '../db/schema.js';
import { SCHEDULES, type Schedule } from '../schedules.js';
import { enqueueJob } from './enqueue-job.js';
import type { JobRow } from './job-rows.js';

/**
 * Records one tick of a schedule and enqueues its job. The run row is written first, keyed by (schedule, tick): a
 * double-fired tick finds it and reuses its job id, and the job's idempotency key `schedule:<name>:<tick>` makes
 * the second enqueue return the first job. A tick interrupted between the two writes is completed by a refire.
 */
export async function startScheduleRun(env: JobsEnv, schedule: Schedule, tick: Date): Promise<JobRow> {
  const scheduledTime = tick.toISOString();
  const db = dbOf(env.DB);
  const [, [existing]] = await db.batch([
    db
      .insert(scheduleRuns)
      .values({ id: newId('srn'), schedule: schedule.name, scheduledTime, jobId: newId('job'), status: 'queued' })
      .onConflictDoNothing(),
    db
      .select({ jobId: scheduleRuns.jobId })
      .from(scheduleRuns)
      .where(and(eq(scheduleRuns.schedule, schedule.name), eq(scheduleRuns.scheduledTime, scheduledTime))),
  ]);
  if (!existing) throw new Error(`schedule run of ${schedule.name} was not recorded`);
  const enqueued = await enqueueJob(
    env,
    { type: schedule.type, payload: schedule.payload, idempotencyKey: `schedule:${schedule.name}:${scheduledTime}` },
    { id: existing.jobId },
  );
  if (!enqueued.ok) throw new Error(`schedule ${schedule.name} is invalid: ${enqueued.error.detail}`);
  return enqueued.row;
}

/** One run of the schedule named `name` now, outside its cron (an operator's request); null for an unknown name. */
export async function runScheduleNow(env: JobsEnv, name: string, now = new Date()): Promise<JobRow | null> {
  const schedule = SCHEDULES.find((s) => s.name === name);
  return schedule ? startScheduleRun(env, schedule, now) : null;
}
