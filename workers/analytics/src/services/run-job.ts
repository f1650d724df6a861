import { JOB_TYPES, type JobOutcome, type JobRun, rpcInput } from '@onasis/contracts';
import { dbOf } from '../db/client.js';
import { eraseAnalyticsUser } from './erase-user.js';
import { purge } from './purge.js';

const notRetryable = (detail: string): JobOutcome => ({
  ok: false,
  error: { code: 'BAD_REQUEST', detail },
  retryable: false,
});

/** Days raw events are kept, from ANALYTICS_RAW_RETENTION_DAYS (30 when unset or not a positive integer). */
export function retentionDays(env: AnalyticsEnv): number {
  const days = Number(env.ANALYTICS_RAW_RETENTION_DAYS);
  return Number.isInteger(days) && days > 0 ? days : 30;
}

/**
 * One attempt of an analytics job; both are safe to repeat. `analytics.purge` does what its time budget allows and
 * succeeds even with rows left (`more: true`): the next daily run continues. `analytics.erase-user` works for up to
 * its budget; when rows are left it fails as retryable, so the jobs Worker runs it again and each attempt carries on
 * from what is left.
 */
export async function runAnalyticsJob(env: AnalyticsEnv, run: JobRun): Promise<JobOutcome> {
  const db = dbOf(env.DB);
  switch (run.type) {
    case 'analytics.purge': {
      const input = rpcInput(JOB_TYPES['analytics.purge'].payload, run.payload);
      if (!input.ok) return { ...input, retryable: false };
      return { ok: true, data: { ...(await purge(db, retentionDays(env))) } };
    }
    case 'analytics.erase-user': {
      const input = rpcInput(JOB_TYPES['analytics.erase-user'].payload, run.payload);
      if (!input.ok) return { ...input, retryable: false };
      const erased = await eraseAnalyticsUser(db, input.data.userId, retentionDays(env));
      if (erased.more)
        return { ok: false, error: { code: 'INCOMPLETE', detail: `erasure continues: ${JSON.stringify(erased)}` } };
      return { ok: true, data: { ...erased } };
    }
    default:
      return notRetryable(`analytics runs no ${run.type} jobs`);
  }
}
