import type { JobStatus } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';

/** A `jobs` row. */
export type JobRow = typeof jobs.$inferSelect;

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
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.attemptsBase + row.maxAttempts,
    idempotencyKey: row.idempotencyKey,
    runAt: row.runAt,
    backoff: { baseSeconds: row.backoffBaseSeconds, capSeconds: row.backoffCapSeconds },
    concurrencyKey: row.concurrencyKey,
    concurrencyLimit: row.concurrencyLimit,
    lastError: row.lastError,
    result: row.result,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

/** One job row, or null. */
export async function findJob(db: Db, id: string): Promise<JobRow | null> {
  return (await db.select().from(jobs).where(eq(jobs.id, id)).get()) ?? null;
}
