import { markSent } from './dispatch-send.js';
import type { JobMessage } from './job-rows.js';

/**
 * Moves a due `scheduled` job to the queue: `scheduled → queued` with `sent_at` cleared, the send, then `sent_at`.
 * A repeat after an interruption finds it `queued` with `sent_at IS NULL` and sends; one that finds `sent_at` set
 * (or the job cancelled) sends nothing. Returns whether it sent.
 */
export async function releaseScheduledJob(env: JobsEnv, jobId: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  await env.DB.prepare(
    "UPDATE jobs SET status = 'queued', sent_at = NULL, updated_at = ? WHERE id = ? AND status = 'scheduled'",
  )
    .bind(at, jobId)
    .run();
  const row = await env.DB.prepare('SELECT status, sent_at FROM jobs WHERE id = ?')
    .bind(jobId)
    .first<{ status: string; sent_at: string | null }>();
  if (row?.status !== 'queued' || row.sent_at !== null) return false;
  const message: JobMessage = { jobId };
  await env.JOBS_QUEUE.send(message);
  await markSent(env.DB, jobId, now);
  return true;
}
