import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/**
 * A unit of background work. `idempotency_key` is unique while the key is live (24 h); an older job gives its key up
 * (set to NULL) when a new enqueue claims it, so the index alone decides races. `sent_at` is NULL until the queue
 * (or the scheduler, for `scheduled` jobs) has the job: the cron sweep re-sends rows left NULL by an interrupted
 * enqueue. `attempts_base` counts the attempts spent before the last replay, so a replayed job gets its full budget.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    // The 0000 default ('pending') predates the lifecycle; every insert sets the status explicitly.
    status: text('status', {
      enum: ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled'],
    })
      .notNull()
      .default(sql`'pending'`),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    idempotencyKey: text('idempotency_key').unique(),
    runAt: text('run_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
    attemptsBase: integer('attempts_base').notNull().default(0),
    backoffBaseSeconds: integer('backoff_base_seconds').notNull().default(10),
    backoffCapSeconds: integer('backoff_cap_seconds').notNull().default(3600),
    concurrencyKey: text('concurrency_key'),
    concurrencyLimit: integer('concurrency_limit'),
    leaseUntil: text('lease_until'),
    sentAt: text('sent_at'),
    lastError: text('last_error'),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>(),
    finishedAt: text('finished_at'),
  },
  (t) => [
    index('jobs_status_idx').on(t.status, t.createdAt),
    index('jobs_type_idx').on(t.type, t.createdAt),
    index('jobs_unsent_idx').on(t.status, t.sentAt),
  ],
);

/** One execution of a job, with its outcome and timings. */
export const jobAttempts = sqliteTable(
  'job_attempts',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    outcome: text('outcome', { enum: ['succeeded', 'failed'] }),
    error: text('error'),
    durationMs: integer('duration_ms'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.attempt] })],
);

/** One tick of a cron schedule and the job it made; unique per tick, so a double-fired tick records one run. */
export const scheduleRuns = sqliteTable(
  'schedule_runs',
  {
    id: text('id').primaryKey(),
    schedule: text('schedule').notNull(),
    scheduledTime: text('scheduled_time').notNull(),
    jobId: text('job_id').notNull(),
    status: text('status', { enum: ['queued', 'succeeded', 'dead', 'cancelled'] }).notNull(),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    durationMs: integer('duration_ms'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('schedule_runs_tick_idx').on(t.schedule, t.scheduledTime),
    index('schedule_runs_job_idx').on(t.jobId),
  ],
);
