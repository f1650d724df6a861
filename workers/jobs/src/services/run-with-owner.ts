import { JOB_TYPES, type JobOutcome, type JobRun } from '@onasis/contracts';
import { dbOf } from '../db/client.js';
import { purgeJobs } from './purge-jobs.js';

/** What each owning Worker's entrypoint exposes for jobs. */
interface JobRunner {
  runJob(run: JobRun): Promise<JobOutcome>;
}

/** An error's message, bounded for storage. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 2000);
}

function isOutcome(value: unknown): value is JobOutcome {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/**
 * Runs one attempt with the type's owner: over its service binding, or in-process for the jobs Worker's own types.
 * A throw (the owner's bug or an RPC failure) becomes a retryable failure, like an answer that is not an outcome.
 */
export async function runWithOwner(env: JobsEnv, run: JobRun): Promise<JobOutcome> {
  try {
    const owner = JOB_TYPES[run.type].owner;
    let outcome: unknown;
    if (owner === 'jobs') outcome = await purgeJobs(dbOf(env.DB), run.payload, new Date());
    else {
      const binding = {
        identity: env.IDENTITY,
        notifications: env.NOTIFICATIONS,
        payments: env.PAYMENTS,
        files: env.FILES,
        analytics: env.ANALYTICS,
      }[owner];
      outcome = await (binding as unknown as JobRunner).runJob(run);
    }
    if (!isOutcome(outcome)) return { ok: false, error: { code: 'INTERNAL', detail: `${owner} answered no outcome` } };
    return outcome;
  } catch (err) {
    return { ok: false, error: { code: 'INTERNAL', detail: errorText(err) } };
  }
}
