import { backoffSeconds, type JobRun, type JobType } from '@onasis/contracts';
import { and, eq, lt, or, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { jobAttempts, jobs } from '../db/schema.js';
import { closeScheduleRun } from './close-schedule-run.js';
import { findJob, type JobRow } from './job-rows.js';
import { type DeadLetterMessage, namesJob } from './queue-messages.js';
import { runWithOwner } from './run-with-owner.js';

/**
 * How long a claimed run owns its job (a consumer's wall-clock limit is 15 minutes). A delivery that finds a live
 * lease acks without running; when a crashed run's lease lapses, the cron sweep puts the job back on the queue.
 */
const LEASE_MS = 15 * 60 * 1000;
/** How long a job waits when its concurrency key has no free permit. */
const DEFER_SECONDS = 5;

function limiter(env: JobsEnv, key: string) {
  return env.CONCURRENCY.get(env.CONCURRENCY.idFromName(key));
}

/**
 * Handles one delivery of a job message. Claiming is one conditional UPDATE (queued, or running under a lapsed
 * lease → running, attempts + 1), so of two deliveries of one message only one runs the job; the other finds it
 * running or finished and acks. Every exit either acks, retries the message, or throws (the queue redelivers).
 */
export async function consumeJobMessage(env: JobsEnv, message: Message<unknown>): Promise<void> {
  if (!namesJob(message.body)) return message.ack();
  const job = await findJob(dbOf(env.DB), message.body.jobId);
  const now = new Date();
  if (!job) return message.ack();
  // A job that failed its last attempt but whose DLQ send did not happen: send again (the DLQ consumer is idempotent).
  if (job.status === 'failed') return deadLetter(env, message, job.id, job.attempts, job.lastError);
  if (job.status !== 'queued' && job.status !== 'running') return message.ack();
  if (job.status === 'running' && job.leaseUntil !== null && job.leaseUntil > now.toISOString()) return message.ack();

  const key = job.concurrencyKey;
  // The permit is held in the job's name, so a second delivery of the same job finds it `held` instead of taking two.
  const permit = key === null ? 'none' : await limiter(env, key).acquire(job.id, job.concurrencyLimit ?? 1, LEASE_MS);
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
  const db = dbOf(env.DB);
  const [claimed] = await db
    .update(jobs)
    .set({
      status: 'running',
      attempts: sql`${jobs.attempts} + 1`,
      leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString(),
      updatedAt: now.toISOString(),
    })
    .where(
      and(
        eq(jobs.id, job.id),
        or(eq(jobs.status, 'queued'), and(eq(jobs.status, 'running'), lt(jobs.leaseUntil, now.toISOString()))),
      ),
    )
    .returning({ attempts: jobs.attempts });
  if (!claimed) {
    message.ack();
    return false;
  }
  const attempt = claimed.attempts;
  const startedAt = new Date();
  // As INSERT OR REPLACE: an attempt row left by an interrupted run starts over.
  const opened = { startedAt: startedAt.toISOString(), finishedAt: null, outcome: null, error: null, durationMs: null };
  await db
    .insert(jobAttempts)
    .values({ jobId: job.id, attempt, ...opened })
    .onConflictDoUpdate({ target: [jobAttempts.jobId, jobAttempts.attempt], set: opened });

  const run: JobRun = {
    id: job.id,
    type: job.type as JobType,
    payload: job.payload,
    attempt,
    maxAttempts: job.attemptsBase + job.maxAttempts,
    scheduledFor: job.runAt ?? job.createdAt,
  };
  const outcome = await runWithOwner(env, run);
  const finishedAt = new Date();
  const finished = finishedAt.toISOString();
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  const error = outcome.ok ? null : `${outcome.error.code}${outcome.error.detail ? `: ${outcome.error.detail}` : ''}`;
  const recordAttempt = db
    .update(jobAttempts)
    .set({ finishedAt: finished, outcome: outcome.ok ? 'succeeded' : 'failed', error, durationMs })
    .where(and(eq(jobAttempts.jobId, job.id), eq(jobAttempts.attempt, attempt)));
  // Every final update is conditional on this claim (running, same attempt): a run whose lease lapsed and was
  // reclaimed cannot overwrite the newer run's state.
  const mine = and(eq(jobs.id, job.id), eq(jobs.status, 'running'), eq(jobs.attempts, attempt));

  if (outcome.ok) {
    await db.batch([
      recordAttempt,
      db
        .update(jobs)
        .set({
          status: 'succeeded',
          result: outcome.data ?? {},
          lastError: null,
          leaseUntil: null,
          finishedAt: finished,
          updatedAt: finished,
        })
        .where(mine),
      closeScheduleRun(db, job.id, {
        status: 'succeeded',
        startedAt: startedAt.toISOString(),
        finishedAt: finished,
        durationMs,
        error: null,
      }),
    ]);
    message.ack();
    return true;
  }
  const attemptsLeft = attempt < job.attemptsBase + job.maxAttempts;
  if (outcome.retryable !== false && attemptsLeft) {
    const delaySeconds = backoffSeconds(attempt - job.attemptsBase, job.backoffBaseSeconds, job.backoffCapSeconds);
    const due = new Date(finishedAt.getTime() + delaySeconds * 1000).toISOString();
    await db.batch([
      recordAttempt,
      db
        .update(jobs)
        .set({ status: 'queued', lastError: error, leaseUntil: null, runAt: due, updatedAt: finished })
        .where(mine),
    ]);
    message.retry({ delaySeconds });
    return true;
  }
  await db.batch([
    recordAttempt,
    db.update(jobs).set({ status: 'failed', lastError: error, leaseUntil: null, updatedAt: finished }).where(mine),
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
