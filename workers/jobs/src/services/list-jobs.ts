import type { JobStatus } from '@onasis/contracts';
import type { JobRow } from './job-rows.js';

/** A list position: newest first by creation time, then id. */
export interface JobCursor {
  createdAt: string;
  id: string;
}

/** One page (plus one row, to tell whether another page exists) of jobs, newest first. */
export async function listJobs(
  db: D1Database,
  filter: { status?: JobStatus; type?: string; after?: JobCursor; limit: number },
): Promise<JobRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.type) {
    where.push('type = ?');
    params.push(filter.type);
  }
  if (filter.after) {
    where.push('(created_at < ? OR (created_at = ? AND id < ?))');
    params.push(filter.after.createdAt, filter.after.createdAt, filter.after.id);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { results } = await db
    .prepare(`SELECT * FROM jobs ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(...params, filter.limit + 1)
    .all<JobRow>();
  return results;
}

/** A job's attempts, oldest first. */
export interface AttemptView {
  attempt: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  outcome: 'succeeded' | 'failed' | null;
  error: string | null;
}

/** The attempts of a job, oldest first. */
export async function attemptsOf(db: D1Database, jobId: string): Promise<AttemptView[]> {
  const { results } = await db
    .prepare(
      `SELECT attempt, started_at AS startedAt, finished_at AS finishedAt, duration_ms AS durationMs, outcome, error
       FROM job_attempts WHERE job_id = ? ORDER BY attempt`,
    )
    .bind(jobId)
    .all<AttemptView>();
  return results;
}
