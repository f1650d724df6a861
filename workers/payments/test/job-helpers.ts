import type { JobRun } from '@onasis/contracts';

/** One attempt of a job, as the jobs Worker hands it to `runJob`. */
export const jobRun = (type: string, payload: unknown): JobRun =>
  ({
    id: `job_${crypto.randomUUID()}`,
    type,
    payload,
    attempt: 1,
    maxAttempts: 5,
    scheduledFor: new Date().toISOString(),
  }) as JobRun;
