import { SCHEDULES } from './schedules.js';
import { startScheduleRun } from './services/start-schedule-run.js';
import { sweepStranded } from './services/sweep-stranded.js';

/** The Cron Trigger: every schedule declared with this cron string, then the stranded-job sweep. */
export async function runCron(env: JobsEnv, controller: ScheduledController): Promise<void> {
  const tick = new Date(controller.scheduledTime);
  for (const schedule of SCHEDULES.filter((s) => s.cron === controller.cron)) {
    await startScheduleRun(env, schedule, tick);
  }
  await sweepStranded(env);
}
