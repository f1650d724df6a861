import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the jobs Worker, bound by the gateway as `JOBS`. */
export class JobsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'jobs',
    description: 'Background jobs, their attempts, dead letters and cron schedules.',
  };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
