import { backoffSeconds, type JobRun, type JobType } from '@onasis/contracts';
import { type DeadLetterMessage, findJob, type JobMessage, type JobRow } from './job-rows.js';
import { runWithOwner } from './run-owner.js';
import { closeScheduleRun } from './schedule-runs.js';

/**
 * How long a claimed run owns its job (a consumer's wall-clock limit is 15 minutes). A delivery that finds a live
 * lease acks without running; when a crashed run's lease lapses, the cron sweep puts the job back on the queue.
 */
export const LEASE_MS = 15 * 60 * 1000;
/** How long a job waits when its concurrency key has no free permit. */
export const DEFER_SECONDS = 5;

function limiter(env: JobsEnv, key: string) {
  return env.CONCURRENCY.get(env.CONCURRENCY.idFromName(key));
}

function isJobMessage(body: unknown): body is JobMessage {
  return typeof body === 'object' && body !== null && typeof (body as { jobId?: unknown }).jobId === 'string';
}

/**
 * Handles one delivery of a job message. Claiming is one conditional UPDATE (queued, or running under a lapsed
 * lease → running, attempts + 1), so of two deliveries of one message only one runs the job; the other finds it
 * running or finished and acks. Every exit either acks, retries the message, or throws (the queue redelivers).
 */
export async function consumeJobMessage(env: JobsEnv, message: Message<unknown>): Promise<void> {
  if (!isJobMessage(message.body)) return message.ack();
  const job = await findJob(env.DB, message.body.jobId);
  const now = new Date();
  if (!job) return message.ack();
  // A job that failed its last attempt but whose DLQ send did not happen: send again (the DLQ consumer is idempotent).
  if (job.status === 'failed') return deadLetter(env, message, job.id, job.attempts, job.last_error);
  if (job.status !== 'queued' && job.status !== 'running') return message.ack();
  if (job.status === 'running' && job.lease_until !== null && job.lease_until > now.toISOString()) return message.ack();

  const key = job.concurrency_key;
  // The permit is held in the job's name, so a second delivery of the same job finds it `held` instead of taking two.
  const permit = key === null ? 'none' : await limiter(env, key).acquire(job.id, job.concurrency_limit ?? 1, LEASE_MS);
  // A deferral is not a failure: no attempt is spent, the message just comes back later.
  if (permit === 'denied') return message.retry({ delaySeconds: DEFER_SECONDS });
  let ran = false;
  try {
    ran = await claimAndRun(env, message, job, now);
  } finally {
    // A delivery that lost the claim gives back only a permit it took itself, never the running delivery's.
    if (key !== null && (ran || permit === 'granted')) await limiter(env, key).release(job.id);
  }
}

/** Claims the job and runs one attempt; false when another delivery holds the claim. */
async function claimAndRun(env: JobsEnv, message: Message<unknown>, job: JobRow, now: Date): Promise<boolean> {
  const claimed = await env.DB.prepare(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
     WHERE id = ? AND (status = 'queued' OR (status = 'running' AND lease_until < ?)) RETURNING attempts`,
  )
    .bind(new Date(now.getTime() + LEASE_MS).toISOString(), now.toISOString(), job.id, now.toISOString())
    .first<{ attempts: number }>();
  if (!claimed) {
    message.ack();
    return false;
  }
  const attempt = claimed.attempts;
  const startedAt = new Date();
  await env.DB.prepare('INSERT OR REPLACE INTO job_attempts (job_id, attempt, started_at) VALUES (?, ?, ?)')
    .bind(job.id, attempt, startedAt.toISOString())
    .run();

  const run: JobRun = {
    id: job.id,
    type: job.type as JobType,
    payload: JSON.parse(job.payload),
    attempt,
    maxAttempts: job.attempts_base + job.max_attempts,
    scheduledFor: job.run_at ?? job.created_at,
  };
  const outcome = await runWithOwner(env, run);
  const finishedAt = new Date();
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  const error = outcome.ok ? null : `${outcome.error.code}${outcome.error.detail ? `: ${outcome.error.detail}` : ''}`;
  const db = env.DB;
  const recordAttempt = db
    .prepare(
      'UPDATE job_attempts SET finished_at = ?, outcome = ?, error = ?, duration_ms = ? WHERE job_id = ? AND attempt = ?',
    )
    .bind(finishedAt.toISOString(), outcome.ok ? 'succeeded' : 'failed', error, durationMs, job.id, attempt);
  // Every final update is conditional on this claim (running, same attempt): a run whose lease lapsed and was
  // reclaimed cannot overwrite the newer run's state.
  const mine = "WHERE id = ? AND status = 'running' AND attempts = ?";

  if (outcome.ok) {
    await db.batch([
      recordAttempt,
      db
        .prepare(
          `UPDATE jobs SET status = 'succeeded', result = ?, last_error = NULL, lease_until = NULL, finished_at = ?, updated_at = ? ${mine}`,
        )
        .bind(JSON.stringify(outcome.data ?? {}), finishedAt.toISOString(), finishedAt.toISOString(), job.id, attempt),
      closeScheduleRun(db, job.id, {
        status: 'succeeded',
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs,
        error: null,
      }),
    ]);
    message.ack();
    return true;
  }
  const attemptsLeft = attempt < job.attempts_base + job.max_attempts;
  if (outcome.retryable !== false && attemptsLeft) {
    const delaySeconds = backoffSeconds(attempt - job.attempts_base, job.backoff_base_seconds, job.backoff_cap_seconds);
    const due = new Date(finishedAt.getTime() + delaySeconds * 1000).toISOString();
    await db.batch([
      recordAttempt,
      db
        .prepare(
          `UPDATE jobs SET status = 'queued', last_error = ?, lease_until = NULL, run_at = ?, updated_at = ? ${mine}`,
        )
        .bind(error, due, finishedAt.toISOString(), job.id, attempt),
    ]);
    message.retry({ delaySeconds });
    return true;
  }
  await db.batch([
    recordAttempt,
    db
      .prepare(`UPDATE jobs SET status = 'failed', last_error = ?, lease_until = NULL, updated_at = ? ${mine}`)
      .bind(error, finishedAt.toISOString(), job.id, attempt),
  ]);
  await deadLetter(env, message, job.id, attempt, error);
  return true;
}

/** Sends the job to the DLQ before acking: if the send fails the message comes back and finds the job `failed`. */
async function deadLetter(
  env: JobsEnv,
  message: Message<unknown>,
  jobId: string,
  attempt: number,
  error: string | null,
) {
  const body: DeadLetterMessage = { jobId, attempt, ...(error !== null && { error }) };
  await env.JOBS_DLQ.send(body);
  message.ack();
}
