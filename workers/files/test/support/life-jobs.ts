import { exports } from 'cloudflare:workers';
import type { JobOutcome, JobRun } from '@onasis/contracts';

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

/** Runs a files job over RPC, as the jobs Worker does. */
export function runJob(type: string, payload: unknown = {}): Promise<JobOutcome> {
  return exports.FilesService.runJob(jobRun(type, payload));
}

/** Runs `files.lifecycle` once and answers its outcome. */
export const runLifecycleJob = () => runJob('files.lifecycle', {});
