/** How a schedule's run ended, copied from its job. */
export interface RunEnd {
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
export function closeScheduleRun(db: D1Database, jobId: string, end: RunEnd): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE schedule_runs SET status = ?, started_at = ?, finished_at = ?, duration_ms = ?, error = ?
       WHERE job_id = ? AND status = 'queued'`,
    )
    .bind(end.status, end.startedAt, end.finishedAt, end.durationMs, end.error, jobId);
}
