import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the payments Worker, bound by the gateway as `PAYMENTS`. */
export class PaymentsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'payments',
    description: 'Customers, payment intents, refunds, disputes, the ledger and Stripe events.',
  };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
