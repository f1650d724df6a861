import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { scheduleRuns } from '../db/schema.js';

/** How a schedule's run ended, copied from its job. */
interface RunEnd {
  status: 'succeeded' | 'dead' | 'cancelled';
  startedAt: string | null;
  finishedAt: string;
  durationMs: number | null;
  error: string | null;
}

/**
 * The statement that closes the schedule run of `jobId`, if the job belongs to one; batched with the job's own final
 * update so both change together. Only an open run changes: a late duplicate cannot rewrite a finished one.
 */
export function closeScheduleRun(db: Db, jobId: string, end: RunEnd) {
  return db
    .update(scheduleRuns)
    .set(end)
    .where(and(eq(scheduleRuns.jobId, jobId), eq(scheduleRuns.status, 'queued')));
}
