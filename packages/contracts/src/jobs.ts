import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import { NotificationSendSchema } from './notifications.js';

/** The services that run jobs: each exposes `runJob(run: JobRun): Promise<JobOutcome>` on its entrypoint. */
export const JOB_OWNERS = ['identity', 'notifications', 'payments', 'files', 'analytics', 'jobs'] as const;

/** A service that runs jobs of some type. */
export type JobOwner = (typeof JOB_OWNERS)[number];

/**
 * Every job type the platform knows: who runs it and what its payload looks like. The jobs Worker refuses a type
 * not listed here and a payload its schema rejects, so an owner's `runJob` only ever sees payloads it accepts.
 * `internal` types (housekeeping, erasure) are enqueued only by services over RPC and by schedules, never over HTTP:
 * `jobs:write` must not become a way round the permissions of the service that runs them.
 */
export const JOB_TYPES = {
  /** Identity's housekeeping: outbox relay, dead one-time tokens, expired social-login states. */
  'identity.maintenance': { owner: 'identity', internal: true, payload: z.object({}).strict() },
  /** Notifications' housekeeping: stranded queued deliveries re-sent, old delivery rows and read inbox items purged. */
  'notifications.maintenance': { owner: 'notifications', internal: true, payload: z.object({}).strict() },
  /** Erase what notifications holds about a deleted user (preferences, inbox, push targets, phone number). */
  'notifications.erase-user': {
    owner: 'notifications',
    internal: true,
    payload: z.object({ userId: z.string().min(1) }).strict(),
  },
  /** Drop the push targets and phone number of a user whose account was just claimed by the address's owner. */
  'notifications.reset-devices': {
    owner: 'notifications',
    internal: true,
    payload: z.object({ userId: z.string().min(1) }).strict(),
  },
  /** A notification sent later: at `runAt`, after `delaySeconds`, or retried by the jobs Worker's back-off. */
  'notifications.send': { owner: 'notifications', payload: NotificationSendSchema },
  /**
   * Payments' reconciliation: each provider's events of the last `sinceHours` (default 48, so a daily run overlaps
   * the last) compared with what arrived, missed ones applied; `provider` alone, or every configured real provider.
   */
  'payments.reconcile': {
    owner: 'payments',
    internal: true,
    payload: z
      .object({
        provider: z.enum(['stripe', 'paypal']).optional(),
        sinceHours: z
          .number()
          .int()
          .min(1)
          .max(30 * 24)
          .optional(),
      })
      .strict(),
  },
  /** Payments' housekeeping: past-due subscriptions whose grace period ended fall back to the free plan. */
  'payments.maintenance': { owner: 'payments', internal: true, payload: z.object({}).strict() },
  /** Erase the personal data payments holds about a deleted user; amounts, statuses and the ledger stay. */
  'payments.erase-user': {
    owner: 'payments',
    internal: true,
    payload: z.object({ userId: z.string().min(1) }).strict(),
  },
  /**
   * Files' lifecycle: stale tus and S3 multipart uploads aborted, expired reservations released, the trash purged past
   * retention, unreferenced blobs deleted, blobs not read for a while moved to Infrequent Access.
   */
  'files.lifecycle': { owner: 'files', internal: true, payload: z.object({}).strict() },
  /** Delete every file, share, link, upload and S3 key of a deleted user; their blobs are dereferenced. */
  'files.erase-user': {
    owner: 'files',
    internal: true,
    payload: z.object({ userId: z.string().min(1) }).strict(),
  },
  /**
   * Analytics' housekeeping: raw events past ANALYTICS_RAW_RETENTION_DAYS deleted in chunks (rollups stay), and the
   * events, rollups and visits of deleted sites removed.
   */
  'analytics.purge': { owner: 'analytics', internal: true, payload: z.object({}).strict() },
  /** Delete a deleted user's identified events and retention weeks, and the sites they owned with all their data. */
  'analytics.erase-user': {
    owner: 'analytics',
    internal: true,
    payload: z.object({ userId: z.string().min(1) }).strict(),
  },
  /** The jobs Worker's own housekeeping: finished jobs and their attempts past retention are deleted. */
  'jobs.purge': {
    owner: 'jobs',
    internal: true,
    payload: z.object({ olderThanDays: z.number().int().min(1).max(3650) }).strict(),
  },
} as const satisfies Record<string, { owner: JobOwner; internal?: boolean; payload: z.ZodType }>;

/** A registered job type. */
export type JobType = keyof typeof JOB_TYPES;

/** What a caller passes to enqueue a job (RPC `JobsService.enqueue`, or `POST /api/v1/jobs` for admins). */
export const EnqueueJobSchema = z
  .object({
    type: z.string().min(1).max(100),
    payload: z.unknown(),
    /** The same key within 24 hours returns the job it first created instead of a new one. */
    idempotencyKey: z.string().min(1).max(200).optional(),
    /** Run no earlier than this many seconds from now (any length; past 12 hours a scheduler alarm holds it). */
    delaySeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 24 * 3600)
      .optional(),
    /** Run at this instant (ISO 8601), to the second. */
    runAt: z.iso.datetime({ offset: true }).optional(),
    /** Attempts before the job is dead (default 5). */
    maxAttempts: z.number().int().min(1).max(100).optional(),
    /** Back-off between attempts: `min(cap, base · 2^(attempt-1))` seconds with equal jitter (half fixed, half random), so successive delays never shrink until the cap. */
    backoff: z
      .object({
        baseSeconds: z.number().int().min(1).max(3600).default(10),
        capSeconds: z
          .number()
          .int()
          .min(1)
          .max(12 * 3600)
          .default(3600),
      })
      .optional(),
    /** Jobs sharing a key run at most `concurrencyLimit` at a time. */
    concurrencyKey: z.string().min(1).max(200).optional(),
    concurrencyLimit: z.number().int().min(1).max(1000).optional(),
  })
  .refine((j) => !(j.delaySeconds !== undefined && j.runAt !== undefined), {
    message: 'give delaySeconds or runAt, not both',
    path: ['runAt'],
  })
  .refine((j) => j.concurrencyLimit === undefined || j.concurrencyKey !== undefined, {
    message: 'concurrencyLimit needs a concurrencyKey',
    path: ['concurrencyLimit'],
  });

/** A request to enqueue a job. */
export type EnqueueJob = z.input<typeof EnqueueJobSchema>;

/** Lifecycle of a job. `scheduled`: held by the scheduler until its time; `queued`: on the queue; `dead`: out of attempts. */
export const JOB_STATUSES = ['scheduled', 'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled'] as const;

/** A job's status. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What an owner's `runJob` receives: one attempt at one job. */
export interface JobRun {
  id: string;
  type: JobType;
  payload: unknown;
  /** 1 for the first attempt. A handler whose side effect must happen once keys it by `id` (not by attempt). */
  attempt: number;
  maxAttempts: number;
  /** When the job was due (ISO 8601); for scheduled runs, the cron tick it belongs to. */
  scheduledFor: string;
}

/** Checks a `JobRun` that arrived over RPC. */
export const JobRunSchema = z.object({
  id: z.string().min(1).max(64),
  type: z.enum(Object.keys(JOB_TYPES) as [JobType, ...JobType[]]),
  payload: z.unknown(),
  attempt: z.number().int().min(1),
  maxAttempts: z.number().int().min(1),
  scheduledFor: z.string().min(1),
}) as unknown as z.ZodType<JobRun>;

/**
 * What `runJob` answers. A thrown error counts as a retryable failure. `retryable: false` dead-letters the job at
 * once (a payload that can never succeed), without spending the remaining attempts.
 */
export type JobOutcome =
  | { ok: true; data?: Record<string, unknown> }
  | { ok: false; error: { code: ErrorCode | string; detail?: string }; retryable?: boolean };
