import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the notifications Worker, bound by the gateway as `NOTIFICATIONS`. */
export class NotificationsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'notifications',
    description: 'Templates, preferences, deliveries and the in-app inbox.',
  };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
