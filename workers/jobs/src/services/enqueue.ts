import { EnqueueJobSchema, JOB_TYPES, type JobType, newId, type Principal, type RpcResult } from '@onasis/contracts';
import type { z } from 'zod';
import { type Refusal, refusalFor } from './caller-rules.js';
import { MAX_QUEUE_DELAY_SECONDS, sendJob } from './dispatch-send.js';
import type { JobRow } from './job-rows.js';

/** How long an idempotency key returns the job it first made. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** A field that failed validation. */
export interface Issue {
  path: string;
  message: string;
}

/** A failed enqueue: the code and the field issues behind it. */
export type EnqueueFailure = { ok: false; error: { code: 'VALIDATION_FAILED'; detail: string }; issues: Issue[] };

/** An enqueue's row and whether it is new (false: an earlier job with the same live idempotency key). */
export type Enqueued = { ok: true; row: JobRow; created: boolean };

function issuesOf(error: z.ZodError, prefix: string): Issue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

function failure(issues: Issue[]): EnqueueFailure {
  const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, error: { code: 'VALIDATION_FAILED', detail }, issues };
}

/** Whether `type` names a registered job type. */
export function isJobType(type: string): type is JobType {
  return Object.hasOwn(JOB_TYPES, type);
}

/**
 * Records a job and hands it to the queue or the scheduler. The row is written first, so a crash after it leaves a
 * row with `sent_at IS NULL` that the cron sweep sends; never a message without a row. The idempotency key is
 * decided by the unique index in one batch (an expired holder gives the key up, then INSERT … ON CONFLICT DO
 * NOTHING): two racing enqueues with one key make one job, and both callers get it back.
 */
export async function enqueueJob(
  env: JobsEnv,
  input: unknown,
  now = new Date(),
  /** `caller`: an API caller's principal, whose enqueue obeys `refusalFor`; absent for services and schedules. */
  options: { id?: string; caller?: Principal } = {},
): Promise<Enqueued | EnqueueFailure | Refusal> {
  const parsed = EnqueueJobSchema.safeParse(input);
  if (!parsed.success) return failure(issuesOf(parsed.error, ''));
  const job = parsed.data;
  if (!isJobType(job.type)) return failure([{ path: 'type', message: `Unknown job type "${job.type}".` }]);
  const payload = JOB_TYPES[job.type].payload.safeParse(job.payload);
  if (!payload.success) return failure(issuesOf(payload.error, 'payload'));
  if (options.caller) {
    const refused = await refusalFor(env, job.type, payload.data, options.caller);
    if (refused) return refused;
  }

  const dueMs = job.runAt !== undefined ? Date.parse(job.runAt) : now.getTime() + (job.delaySeconds ?? 0) * 1000;
  const viaScheduler = job.runAt !== undefined || (job.delaySeconds ?? 0) > MAX_QUEUE_DELAY_SECONDS;
  const at = now.toISOString();
  const key = job.idempotencyKey ?? null;
  const insert = env.DB.prepare(
    `INSERT INTO jobs (id, type, payload, status, max_attempts, idempotency_key, run_at, created_at, updated_at,
       backoff_base_seconds, backoff_cap_seconds, concurrency_key, concurrency_limit)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
  ).bind(
    options.id ?? newId('job'),
    job.type,
    JSON.stringify(payload.data),
    viaScheduler ? 'scheduled' : 'queued',
    job.maxAttempts ?? 5,
    key,
    new Date(dueMs).toISOString(),
    at,
    at,
    job.backoff?.baseSeconds ?? 10,
    job.backoff?.capSeconds ?? 3600,
    job.concurrencyKey ?? null,
    job.concurrencyKey === undefined ? null : (job.concurrencyLimit ?? 1),
  );
  const release = env.DB.prepare(
    'UPDATE jobs SET idempotency_key = NULL WHERE idempotency_key = ? AND created_at <= ?',
  ).bind(key, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString());
  const results = await env.DB.batch<JobRow>(key === null ? [insert] : [release, insert]);
  const created = results[results.length - 1]?.results[0];
  if (created) {
    try {
      await sendJob(env, created, now);
    } catch (err) {
      // The job exists and the sweep will send it: the caller gets its job, not an error to retry into a duplicate.
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'job send failed; left for the sweep',
          jobId: created.id,
          err: String(err),
        }),
      );
    }
    return { ok: true, row: created, created: true };
  }
  const existing = await env.DB.prepare('SELECT * FROM jobs WHERE idempotency_key = ?').bind(key).first<JobRow>();
  if (!existing) throw new Error('enqueue inserted nothing and found no job holding its key');
  return { ok: true, row: existing, created: false };
}

/** The RPC form: plain data, expected failures returned. */
export function asRpc<T>(result: Enqueued | EnqueueFailure | Refusal, view: (row: JobRow) => T): RpcResult<T> {
  return result.ok ? { ok: true, data: view(result.row) } : { ok: false, error: result.error };
}
