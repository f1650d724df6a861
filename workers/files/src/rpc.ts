import { type HealthReport, type JobOutcome, type JobRun, JobRunSchema, rpcInput } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { runFilesJob } from './services/run-job.js';

/** RPC surface of the files Worker, bound by the gateway and the jobs Worker as `FILES`. */
export class FilesService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'files',
    description: 'Files and folders, resumable (tus) uploads, signed URLs, shares, quotas and an S3-compatible API.',
  };

  /** One attempt of a files job (`files.lifecycle`, `files.erase-user`), run by the jobs Worker; safe to repeat. */
  async runJob(run: JobRun): Promise<JobOutcome> {
    const checked = rpcInput(JobRunSchema, run);
    if (!checked.ok) return { ...checked, retryable: false };
    return runFilesJob(this.env, checked.data);
  }

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB), bucket: () => this.env.FILES_BUCKET.head('health-probe') });
  }
}
