import type { JobStatus } from '@onasis/contracts';

/** A `jobs` row as D1 returns it. */
export interface JobRow {
  id: string;
  type: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  attempts_base: number;
  idempotency_key: string | null;
  run_at: string | null;
  created_at: string;
  updated_at: string | null;
  backoff_base_seconds: number;
  backoff_cap_seconds: number;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  lease_until: string | null;
  sent_at: string | null;
  last_error: string | null;
  result: string | null;
  finished_at: string | null;
}

/** A job as the API and RPC show it. */
export interface JobView {
  id: string;
  type: string;
  status: JobStatus;
  payload: unknown;
  /** Attempts made so far, replays included. */
  attempts: number;
  /** The attempt number after which the job is dead (grows by the job's budget on each replay). */
  maxAttempts: number;
  idempotencyKey: string | null;
  runAt: string | null;
  backoff: { baseSeconds: number; capSeconds: number };
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  lastError: string | null;
  result: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string | null;
  finishedAt: string | null;
}

/** The API shape of a row. */
export function toView(row: JobRow): JobView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    payload: JSON.parse(row.payload),
    attempts: row.attempts,
    maxAttempts: row.attempts_base + row.max_attempts,
    idempotencyKey: row.idempotency_key,
    runAt: row.run_at,
    backoff: { baseSeconds: row.backoff_base_seconds, capSeconds: row.backoff_cap_seconds },
    concurrencyKey: row.concurrency_key,
    concurrencyLimit: row.concurrency_limit,
    lastError: row.last_error,
    result: row.result === null ? null : JSON.parse(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** One job row, or null. */
export function findJob(db: D1Database, id: string): Promise<JobRow | null> {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<JobRow>();
}

/** An error's message, bounded for storage. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 2000);
}

/** What the jobs queue carries: only the id, the row is the truth. */
export interface JobMessage {
  jobId: string;
}

/** What the dead-letter queue carries; `attempt` is absent when the platform dead-lettered a crash-looping message. */
export interface DeadLetterMessage {
  jobId: string;
  attempt?: number;
  error?: string;
}
