import { z } from '@hono/zod-openapi';
import { JOB_STATUSES } from '@onasis/contracts';

/** A job as the API shows it. */
export const JobSchema = z
  .object({
    id: z.string().openapi({ example: 'job_3f9c0a1b2c3d4e5f60718293' }),
    type: z.string().openapi({ example: 'notifications.send' }),
    status: z.enum(JOB_STATUSES),
    payload: z.unknown(),
    attempts: z.number().int().openapi({ description: 'Attempts made so far, replays included.' }),
    maxAttempts: z.number().int().openapi({ description: 'The attempt number after which the job is dead.' }),
    idempotencyKey: z.string().nullable(),
    runAt: z.string().nullable().openapi({ description: 'When the job is (or was last) due.' }),
    backoff: z.object({ baseSeconds: z.number().int(), capSeconds: z.number().int() }),
    concurrencyKey: z.string().nullable(),
    concurrencyLimit: z.number().int().nullable(),
    lastError: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    updatedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Job');

/** One attempt of a job. */
const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    outcome: z.enum(['succeeded', 'failed']).nullable(),
    error: z.string().nullable(),
  })
  .openapi('JobAttempt');

/** A job with its attempt history. */
export const JobDetailSchema = JobSchema.extend({ attemptLog: z.array(AttemptSchema) }).openapi('JobDetail');

/** A cron schedule with its last and next run. */
export const ScheduleSchema = z
  .object({
    name: z.string().openapi({ example: 'identity-maintenance' }),
    cron: z.string().openapi({ example: '*/10 * * * *' }),
    jobType: z.string(),
    lastRun: z
      .object({
        jobId: z.string(),
        scheduledTime: z.string(),
        status: z.enum(['queued', 'succeeded', 'dead', 'cancelled']),
        startedAt: z.string().nullable(),
        durationMs: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    nextRun: z.string().nullable(),
  })
  .openapi('JobSchedule');

/** `{id}` of the job routes. */
export const JobIdParams = z.object({
  id: z.string().min(1).max(64).openapi({ example: 'job_3f9c0a1b2c3d4e5f60718293' }),
});
