import { sendJob } from './dispatch-send.js';
import type { JobRow } from './job-rows.js';

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
  const [, lapsed] = await env.DB.batch<JobRow>([
    env.DB.prepare(
      `UPDATE job_attempts SET finished_at = ?, outcome = 'failed', error = 'run interrupted: lease expired'
       WHERE finished_at IS NULL AND job_id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until < ?)`,
    ).bind(at, at),
    env.DB.prepare(
      `UPDATE jobs SET status = 'queued', sent_at = NULL, lease_until = NULL, updated_at = ?
       WHERE status = 'running' AND lease_until < ? RETURNING *`,
    ).bind(at, at),
  ]);
  const { results: unsent } = await env.DB.prepare(
    `SELECT * FROM jobs WHERE status IN ('queued', 'scheduled') AND sent_at IS NULL AND updated_at < ? LIMIT 100`,
  )
    .bind(graceAt)
    .all<JobRow>();
  const rows = [...(lapsed?.results ?? []), ...unsent];
  for (const row of rows) await sendJob(env, row, now);
  return { resent: unsent.length, reclaimed: lapsed?.results.length ?? 0 };
}
