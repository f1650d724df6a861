import { and, eq, isNull } from 'drizzle-orm';
import { type Db, dbOf } from '../db/client.js';
import { jobs } from '../db/schema.js';
import type { JobRow } from './job-rows.js';
import type { JobMessage } from './queue-messages.js';

/** The queue's longest delay; later jobs wait in the scheduler Durable Object. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 3600;

/** The one scheduler instance; it holds few rows (only jobs due later than 12 h or at an exact time). */
function scheduler(env: JobsEnv) {
  return env.SCHEDULER.get(env.SCHEDULER.idFromName('global'));
}

/** Records that the queue (or scheduler) has the job, so the cron sweep leaves it alone. */
export async function markSent(db: Db, id: string, now: Date): Promise<void> {
  await db
    .update(jobs)
    .set({ sentAt: now.toISOString() })
    .where(and(eq(jobs.id, id), isNull(jobs.sentAt)));
}

/**
 * Hands a pending job to the queue (status `queued`, delayed until its run_at) or to the scheduler (`scheduled`),
 * then marks it sent. If either call fails the row keeps `sent_at IS NULL` and the cron sweep (services/sweep-stranded.ts)
 * sends it again; a second message for one job is harmless, since only one delivery can claim it.
 */
export async function sendJob(env: JobsEnv, row: Pick<JobRow, 'id' | 'status' | 'runAt'>, now: Date): Promise<void> {
  const dueMs = row.runAt === null ? now.getTime() : Date.parse(row.runAt);
  if (row.status === 'scheduled') {
    await scheduler(env).schedule(row.id, dueMs);
  } else {
    const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - now.getTime()) / 1000)));
    const message: JobMessage = { jobId: row.id };
    await env.JOBS_QUEUE.send(message, delaySeconds > 0 ? { delaySeconds } : {});
  }
  await markSent(dbOf(env.DB), row.id, now);
}
