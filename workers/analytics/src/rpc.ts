import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the analytics Worker, bound by the gateway as `ANALYTICS`. */
export class AnalyticsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = { name: 'analytics', description: 'Product events, rollups and the traffic dashboard.' };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
