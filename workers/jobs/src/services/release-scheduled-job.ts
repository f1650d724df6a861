import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { jobs } from '../db/schema.js';
import type { JobMessage } from './queue-messages.js';
import { markSent } from './send-job.js';

/**
 * Moves a due `scheduled` job to the queue: `scheduled → queued` with `sent_at` cleared, the send, then `sent_at`.
 * A repeat after an interruption finds it `queued` with `sent_at IS NULL` and sends; one that finds `sent_at` set
 * (or the job cancelled) sends nothing. Returns whether it sent.
 */
export async function releaseScheduledJob(env: JobsEnv, jobId: string, now: Date): Promise<boolean> {
  const db = dbOf(env.DB);
  await db
    .update(jobs)
    .set({ status: 'queued', sentAt: null, updatedAt: now.toISOString() })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, 'scheduled')));
  const row = await db.select({ status: jobs.status, sentAt: jobs.sentAt }).from(jobs).where(eq(jobs.id, jobId)).get();
  if (row?.status !== 'queued' || row.sentAt !== null) return false;
  const message: JobMessage = { jobId };
  await env.JOBS_QUEUE.send(message);
  await markSent(db, jobId, now);
  return true;
}
