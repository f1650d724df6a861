import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { jobAttempts, jobs } from '../db/schema.js';
import { closeScheduleRun } from './close-schedule-run.js';
import { type DeadLetterMessage, namesJob } from './queue-messages.js';

/**
 * Marks a dead-lettered job `dead`, keeping its payload and last error. Idempotent: the update only matches the
 * state the message describes (`failed` at that attempt), so a redelivery, or one arriving after the job was
 * replayed, changes nothing. A message without `attempt` is the platform's safety net (a job message that
 * crash-looped past the queue's retries), which matches a job still stuck `running` or `queued`.
 */
export async function consumeDeadLetter(env: JobsEnv, message: Message<unknown>): Promise<void> {
  if (!namesJob(message.body)) return message.ack();
  const { jobId, attempt, error: reason } = message.body as DeadLetterMessage;
  const now = new Date().toISOString();
  const error = reason ?? 'message redelivered past the queue retry limit';
  const db = dbOf(env.DB);
  const [dead] = await db
    .update(jobs)
    .set({
      status: 'dead',
      lastError: sql`COALESCE(${jobs.lastError}, ${error})`,
      leaseUntil: null,
      finishedAt: now,
      updatedAt: now,
    })
    .where(
      and(
        eq(jobs.id, jobId),
        attempt === undefined
          ? inArray(jobs.status, ['running', 'queued'])
          : and(eq(jobs.status, 'failed'), eq(jobs.attempts, attempt)),
      ),
    )
    .returning({ id: jobs.id });
  if (dead) {
    const last = await db
      .select({ startedAt: jobAttempts.startedAt, durationMs: jobAttempts.durationMs, error: jobAttempts.error })
      .from(jobAttempts)
      .where(eq(jobAttempts.jobId, jobId))
      .orderBy(desc(jobAttempts.attempt))
      .limit(1)
      .get();
    await closeScheduleRun(db, jobId, {
      status: 'dead',
      startedAt: last?.startedAt ?? null,
      finishedAt: now,
      durationMs: last?.durationMs ?? null,
      error: last?.error ?? error,
    });
  }
  message.ack();
}
