import { JOB_TYPES, type JobOutcome, type JobRun, rpcInput } from '@onasis/contracts';
import { eraseUser } from './erase-user.js';
import { runLifecycle } from './lifecycle.js';

const notRetryable = (detail: string): JobOutcome => ({
  ok: false,
  error: { code: 'BAD_REQUEST', detail },
  retryable: false,
});

/**
 * One attempt of a files job (`FilesService.runJob`); both are safe to repeat. `files.lifecycle` does a bounded
 * chunk of each step and succeeds even with rows left (`more: true`): the next hourly run continues. It fails (and
 * is retried) only when a step threw, after the other steps ran. `files.erase-user` works in chunks for up to
 * `ERASE_BUDGET_MS`; when rows are left it fails as retryable, so the jobs Worker runs it again, and each attempt
 * carries on from what is left.
 */
export async function runFilesJob(env: FilesEnv, run: JobRun): Promise<JobOutcome> {
  switch (run.type) {
    case 'files.lifecycle': {
      const input = rpcInput(JOB_TYPES['files.lifecycle'].payload, run.payload);
      if (!input.ok) return { ...input, retryable: false };
      const report = await runLifecycle(env, new Date());
      if (report.failed.length > 0)
        return {
          ok: false,
          error: { code: 'INTERNAL', detail: `lifecycle steps failed: ${report.failed.join(', ')}` },
        };
      return { ok: true, data: { ...report.steps, more: report.more } };
    }
    case 'files.erase-user': {
      const input = rpcInput(JOB_TYPES['files.erase-user'].payload, run.payload);
      if (!input.ok) return { ...input, retryable: false };
      const erased = await eraseUser(env, input.data.userId);
      if (erased.more)
        return { ok: false, error: { code: 'INCOMPLETE', detail: `erasure continues: ${JSON.stringify(erased)}` } };
      return { ok: true, data: { ...erased } };
    }
    default:
      return notRetryable(`files runs no ${run.type} jobs`);
  }
}
