import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobAttempts } from '../db/schema.js';
import { findJob, type JobRow } from './job-rows.js';

/** An attempt as the API shows it: every column but the job id. */
type Attempt = Omit<typeof jobAttempts.$inferSelect, 'jobId'>;

/** A job with its attempts, oldest first; null when there is no such job. */
export async function getJob(db: Db, id: string): Promise<{ row: JobRow; attempts: Attempt[] } | null> {
  const row = await findJob(db, id);
  if (!row) return null;
  const attempts = await db
    .select({
      attempt: jobAttempts.attempt,
      startedAt: jobAttempts.startedAt,
      finishedAt: jobAttempts.finishedAt,
      durationMs: jobAttempts.durationMs,
      outcome: jobAttempts.outcome,
      error: jobAttempts.error,
    })
    .from(jobAttempts)
    .where(eq(jobAttempts.jobId, id))
    .orderBy(asc(jobAttempts.attempt));
  return { row, attempts };
}
