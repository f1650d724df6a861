import { type HealthReport, type JobOutcome, type JobRun, JobRunSchema, rpcInput } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { runAnalyticsJob } from './services/run-job.js';

/** RPC surface of the analytics Worker, bound by the gateway and the jobs Worker as `ANALYTICS`. */
export class AnalyticsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'analytics',
    description:
      'Cookieless traffic analytics (sites, events, rollups, funnels, retention, CSV export) and the platform business figures.',
  };

  /** One attempt of an analytics job (`analytics.purge`, `analytics.erase-user`), run by the jobs Worker; safe to repeat. */
  async runJob(run: JobRun): Promise<JobOutcome> {
    const checked = rpcInput(JobRunSchema, run);
    if (!checked.ok) return { ...checked, retryable: false };
    return runAnalyticsJob(this.env, checked.data);
  }

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
