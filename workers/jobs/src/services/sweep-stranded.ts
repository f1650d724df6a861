import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { jobAttempts, jobs } from '../db/schema.js';
import { sendJob } from './send-job.js';

/** How old an unsent row must be before the sweep takes it over from the enqueue that wrote it. */
const GRACE_MS = 60 * 1000;

/**
 * Run by every cron tick: nothing is stranded. (1) Rows an interrupted enqueue, replay or scheduler release left with
 * `sent_at IS NULL` are sent again. (2) Jobs `running` under a lapsed lease (their consumer died mid-run, and the
 * redelivery found the lease still live and acked) go back to `queued`, their open attempt closed as failed. Sending
 * twice is harmless: only one delivery can claim a job.
 */
export async function sweepStranded(env: JobsEnv, now = new Date()): Promise<{ resent: number; reclaimed: number }> {
  const at = now.toISOString();
  const graceAt = new Date(now.getTime() - GRACE_MS).toISOString();
  const db = dbOf(env.DB);
  const lapsed = and(eq(jobs.status, 'running'), lt(jobs.leaseUntil, at));
  const [, reclaimed] = await db.batch([
    db
      .update(jobAttempts)
      .set({ finishedAt: at, outcome: 'failed', error: 'run interrupted: lease expired' })
      .where(
        and(
          isNull(jobAttempts.finishedAt),
          inArray(jobAttempts.jobId, db.select({ id: jobs.id }).from(jobs).where(lapsed)),
        ),
      ),
    db.update(jobs).set({ status: 'queued', sentAt: null, leaseUntil: null, updatedAt: at }).where(lapsed).returning(),
  ]);
  const unsent = await db
    .select()
    .from(jobs)
    .where(and(inArray(jobs.status, ['queued', 'scheduled']), isNull(jobs.sentAt), lt(jobs.updatedAt, graceAt)))
    .limit(100);
  for (const row of [...reclaimed, ...unsent]) await sendJob(env, row, now);
  return { resent: unsent.length, reclaimed: reclaimed.length };
}
