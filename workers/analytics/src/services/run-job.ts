import type { JobOutcome, JobRun } from '@onasis/contracts';

// Stub: written by helper B.
export async function runAnalyticsJob(_env: AnalyticsEnv, _run: JobRun): Promise<JobOutcome> {
  return { ok: true, data: {} };
}
