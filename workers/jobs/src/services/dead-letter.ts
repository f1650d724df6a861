import type { DeadLetterMessage } from './job-rows.js';
import { closeScheduleRun } from './schedule-runs.js';

function isDeadLetter(body: unknown): body is DeadLetterMessage {
  return typeof body === 'object' && body !== null && typeof (body as { jobId?: unknown }).jobId === 'string';
}

/**
 * Marks a dead-lettered job `dead`, keeping its payload and last error. Idempotent: the update only matches the
 * state the message describes (`failed` at that attempt), so a redelivery, or one arriving after the job was
 * replayed, changes nothing. A message without `attempt` is the platform's safety net (a job message that
 * crash-looped past the queue's retries), which matches a job still stuck `running` or `queued`.
 */
export async function consumeDeadLetter(env: JobsEnv, message: Message<unknown>): Promise<void> {
  if (!isDeadLetter(message.body)) return message.ack();
  const { jobId, attempt } = message.body;
  const now = new Date().toISOString();
  const error = message.body.error ?? 'message redelivered past the queue retry limit';
  const match = attempt === undefined ? "status IN ('running', 'queued')" : "status = 'failed' AND attempts = ?";
  const dead = await env.DB.prepare(
    `UPDATE jobs SET status = 'dead', last_error = COALESCE(last_error, ?), lease_until = NULL, finished_at = ?,
       updated_at = ? WHERE id = ? AND ${match} RETURNING id`,
  )
    .bind(...[error, now, now, jobId, ...(attempt === undefined ? [] : [attempt])])
    .first<{ id: string }>();
  if (dead) {
    const last = await env.DB.prepare(
      'SELECT started_at, duration_ms, error FROM job_attempts WHERE job_id = ? ORDER BY attempt DESC LIMIT 1',
    )
      .bind(jobId)
      .first<{ started_at: string; duration_ms: number | null; error: string | null }>();
    await closeScheduleRun(env.DB, jobId, {
      status: 'dead',
      startedAt: last?.started_at ?? null,
      finishedAt: now,
      durationMs: last?.duration_ms ?? null,
      error: last?.error ?? error,
    }).run();
  }
  message.ack();
}
