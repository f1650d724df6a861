import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** A unit of background work; the idempotency key returns the existing job instead of a second one. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    status: text('status', { enum: ['pending', 'running', 'succeeded', 'failed', 'dead', 'cancelled'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    idempotencyKey: text('idempotency_key').unique(),
    runAt: text('run_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [index('jobs_status_idx').on(t.status, t.createdAt)],
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
  },
  (t) => [primaryKey({ columns: [t.jobId, t.attempt] })],
);
