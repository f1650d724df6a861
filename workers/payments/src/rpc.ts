import { type HealthReport, type JobOutcome, type JobRun, JobRunSchema, rpcInput } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { runPaymentsJob } from './services/run-job.js';

/** RPC surface of the payments Worker, bound by the gateway and the jobs Worker as `PAYMENTS`. */
export class PaymentsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'payments',
    description: 'Customers, payment intents, refunds, disputes, the ledger and Stripe events.',
  };

  /**
   * One attempt of a payments job (`payments.reconcile`, `payments.maintenance`, `payments.erase-user`), run by the
   * jobs Worker. Each is safe to repeat, so a redelivered job repeats no side effect.
   */
  async runJob(run: JobRun): Promise<JobOutcome> {
    const checked = rpcInput(JobRunSchema, run);
    if (!checked.ok) return { ...checked, retryable: false };
    return runPaymentsJob(this.env, checked.data);
  }

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }
}
