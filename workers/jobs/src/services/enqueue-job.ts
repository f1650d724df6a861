import { type EnqueueJobSchema, JOB_TYPES, type JobType, newId, type Principal } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { and, eq, lte } from 'drizzle-orm';
import type { z } from 'zod';
import { dbOf } from '../db/client.js';
import { jobs } from '../db/schema.js';
import { type Refusal, refusalFor } from './caller-rules.js';
import type { JobRow } from './job-rows.js';
import { MAX_QUEUE_DELAY_SECONDS, sendJob } from './send-job.js';

/** How long an idempotency key returns the job it first made. */
const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

const log = createLogger({ service: 'jobs' });

/** A field that failed validation. */
interface Issue {
  path: string;
  message: string;
}

/** A failed enqueue: the code and the field issues behind it. */
type EnqueueFailure = { ok: false; error: { code: 'VALIDATION_FAILED'; detail: string }; issues: Issue[] };

/** An enqueue's row and whether it is new (false: an earlier job with the same live idempotency key), or why not. */
type EnqueueResult = { ok: true; row: JobRow; created: boolean } | EnqueueFailure | Refusal;

function failure(issues: Issue[]): EnqueueFailure {
  const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, error: { code: 'VALIDATION_FAILED', detail }, issues };
}

function isJobType(type: string): type is JobType {
  return Object.hasOwn(JOB_TYPES, type);
}

/**
 * Records a job and hands it to the queue or the scheduler. `job` has passed `EnqueueJobSchema`; its type must be
 * registered and its payload must pass the type's schema. The row is written first, so a crash after it leaves a
 * row with `sent_at IS NULL` that the cron sweep sends; never a message without a row. The idempotency key is
 * decided by the unique index in one batch (an expired holder gives the key up, then INSERT … ON CONFLICT DO
 * NOTHING): two racing enqueues with one key make one job, and both callers get it back.
 */
export async function enqueueJob(
  env: JobsEnv,
  job: z.output<typeof EnqueueJobSchema>,
  /** `caller`: an API caller's principal, whose enqueue obeys `refusalFor`; absent for services and schedules. */
  options: { now?: Date; id?: string; caller?: Principal } = {},
): Promise<EnqueueResult> {
  if (!isJobType(job.type)) return failure([{ path: 'type', message: `Unknown job type "${job.type}".` }]);
  const payload = JOB_TYPES[job.type].payload.safeParse(job.payload);
  if (!payload.success) {
    return failure(
      payload.error.issues.map((i) => ({
        path: ['payload', ...i.path.map(String)].filter(Boolean).join('.'),
        message: i.message,
      })),
    );
  }
  if (options.caller) {
    const refused = await refusalFor(env, job.type, payload.data, options.caller);
    if (refused) return refused;
  }

  const now = options.now ?? new Date();
  const dueMs = job.runAt !== undefined ? Date.parse(job.runAt) : now.getTime() + (job.delaySeconds ?? 0) * 1000;
  const viaScheduler = job.runAt !== undefined || (job.delaySeconds ?? 0) > MAX_QUEUE_DELAY_SECONDS;
  const at = now.toISOString();
  const key = job.idempotencyKey ?? null;
  const db = dbOf(env.DB);
  const insert = db
    .insert(jobs)
    .values({
      id: options.id ?? newId('job'),
      type: job.type,
      payload: payload.data,
      status: viaScheduler ? 'scheduled' : 'queued',
      maxAttempts: job.maxAttempts ?? 5,
      idempotencyKey: key,
      runAt: new Date(dueMs).toISOString(),
      createdAt: at,
      updatedAt: at,
      backoffBaseSeconds: job.backoff?.baseSeconds ?? 10,
      backoffCapSeconds: job.backoff?.capSeconds ?? 3600,
      concurrencyKey: job.concurrencyKey ?? null,
      concurrencyLimit: job.concurrencyKey === undefined ? null : (job.concurrencyLimit ?? 1),
    })
    .onConflictDoNothing()
    .returning();
  let inserted: JobRow[];
  if (key === null) inserted = await insert;
  else {
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
    const release = db
      .update(jobs)
      .set({ idempotencyKey: null })
      .where(and(eq(jobs.idempotencyKey, key), lte(jobs.createdAt, cutoff)));
    [, inserted] = await db.batch([release, insert]);
  }
  const [created] = inserted;
  if (created) {
    try {
      await sendJob(env, created, now);
    } catch (err) {
      // The job exists and the sweep will send it: the caller gets its job, not an error to retry into a duplicate.
      log.error('job send failed; left for the sweep', { jobId: created.id, err: String(err) });
    }
    return { ok: true, row: created, created: true };
  }
  const existing = key === null ? undefined : await db.select().from(jobs).where(eq(jobs.idempotencyKey, key)).get();
  if (!existing) throw new Error('enqueue inserted nothing and found no job holding its key');
  return { ok: true, row: existing, created: false };
}
