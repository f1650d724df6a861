import { newId } from '@onasis/contracts';
import { SCHEDULES, type Schedule } from './schedules.js';
import { enqueueJob } from './services/enqueue.js';
import { sweepStranded } from './services/sweep.js';

/**
 * Records one tick of a schedule and enqueues its job. The run row is written first, keyed by (schedule, tick): a
 * double-fired tick finds it and reuses its job id, and the job's idempotency key `schedule:<name>:<tick>` makes
 * the second enqueue return the first job. A tick interrupted between the two writes is completed by a refire.
 */
export async function startScheduleRun(env: JobsEnv, schedule: Schedule, tick: Date): Promise<string> {
  const scheduledTime = tick.toISOString();
  const [, existing] = await env.DB.batch<{ job_id: string }>([
    env.DB.prepare(
      `INSERT INTO schedule_runs (id, schedule, scheduled_time, job_id, status) VALUES (?, ?, ?, ?, 'queued')
       ON CONFLICT DO NOTHING`,
    ).bind(newId('srn'), schedule.name, scheduledTime, newId('job')),
    env.DB.prepare('SELECT job_id FROM schedule_runs WHERE schedule = ? AND scheduled_time = ?').bind(
      schedule.name,
      scheduledTime,
    ),
  ]);
  const jobId = existing?.results[0]?.job_id;
  if (!jobId) throw new Error(`schedule run of ${schedule.name} was not recorded`);
  const enqueued = await enqueueJob(
    env,
    { type: schedule.type, payload: schedule.payload, idempotencyKey: `schedule:${schedule.name}:${scheduledTime}` },
    new Date(),
    { id: jobId },
  );
  if (!enqueued.ok) throw new Error(`schedule ${schedule.name} is invalid: ${enqueued.error.detail}`);
  return enqueued.row.id;
}

/** The Cron Trigger: every schedule declared with this cron string, then the stranded-job sweep. */
export async function runCron(env: JobsEnv, controller: ScheduledController): Promise<void> {
  const tick = new Date(controller.scheduledTime);
  for (const schedule of SCHEDULES.filter((s) => s.cron === controller.cron)) {
    await startScheduleRun(env, schedule, tick);
  }
  await sweepStranded(env);
}
