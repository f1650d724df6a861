import { JOB_TYPES, type JobOutcome } from '@onasis/contracts';
import { and, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobAttempts, jobs, scheduleRuns } from '../db/schema.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * `jobs.purge`: deletes finished jobs (succeeded, dead, cancelled), their attempts and their schedule runs older than
 * `olderThanDays`. Deleting is idempotent, so a repeated attempt only finds less to delete.
 */
export async function purgeJobs(db: Db, payload: unknown, now: Date): Promise<JobOutcome> {
  const parsed = JOB_TYPES['jobs.purge'].payload.safeParse(payload);
  if (!parsed.success) return { ok: false, error: { code: 'VALIDATION_FAILED' }, retryable: false };
  const before = new Date(now.getTime() - parsed.data.olderThanDays * DAY_MS).toISOString();
  const finished = and(inArray(jobs.status, ['succeeded', 'dead', 'cancelled']), lt(jobs.finishedAt, before));
  const [attempts, deleted, runs] = await db.batch([
    db.delete(jobAttempts).where(inArray(jobAttempts.jobId, db.select({ id: jobs.id }).from(jobs).where(finished))),
    db.delete(jobs).where(finished),
    db.delete(scheduleRuns).where(and(ne(scheduleRuns.status, 'queued'), lt(scheduleRuns.createdAt, before))),
  ]);
  return {
    ok: true,
    data: { jobs: deleted.meta.changes, attempts: attempts.meta.changes, scheduleRuns: runs.meta.changes },
  };
}
