import { JOB_TYPES, type JobOutcome } from '@onasis/contracts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * `jobs.purge`: deletes finished jobs (succeeded, dead, cancelled), their attempts and their schedule runs older than
 * `olderThanDays`. Deleting is idempotent, so a repeated attempt only finds less to delete.
 */
export async function purgeJobs(db: D1Database, payload: unknown, now: Date): Promise<JobOutcome> {
  const parsed = JOB_TYPES['jobs.purge'].payload.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { code: 'VALIDATION_FAILED' }, retryable: false };
  const before = new Date(now.getTime() - parsed.data.olderThanDays * DAY_MS).toISOString();
  const finished = "status IN ('succeeded', 'dead', 'cancelled') AND finished_at < ?";
  const [attempts, jobs, runs] = await db.batch([
    db.prepare(`DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM jobs WHERE ${finished})`).bind(before),
    db.prepare(`DELETE FROM jobs WHERE ${finished}`).bind(before),
    db.prepare("DELETE FROM schedule_runs WHERE status <> 'queued' AND created_at < ?").bind(before),
  ]);
  return {
    ok: true,
    data: {
      jobs: jobs?.meta.changes ?? 0,
      attempts: attempts?.meta.changes ?? 0,
      scheduleRuns: runs?.meta.changes ?? 0,
    },
  };
}
