import type { HealthReport, RpcResult } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { asRpc, enqueueJob } from './services/enqueue.js';
import { cancelJob } from './services/job-actions.js';
import { findJob, type JobView, toView } from './services/job-rows.js';

export type { JobView } from './services/job-rows.js';

/** RPC surface of the jobs Worker, bound by the gateway (and any Worker that enqueues) as `JOBS`. */
export class JobsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'jobs',
    description: 'Background jobs, their attempts, dead letters and cron schedules.',
  };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB) });
  }

  /**
   * Enqueues a job (see EnqueueJob). An unknown type or a payload its schema refuses answers VALIDATION_FAILED.
   * The same idempotencyKey within 24 h answers the first job, so a caller may retry a call whose answer it lost.
   */
  async enqueue(input: unknown): Promise<RpcResult<JobView>> {
    return asRpc(await enqueueJob(this.env, input), toView);
  }

  /** Cancels a scheduled or queued job; CONFLICT for any other state. */
  async cancel(id: string): Promise<RpcResult<JobView>> {
    if (typeof id !== 'string')
      return { ok: false, error: { code: 'VALIDATION_FAILED', detail: 'id must be a string' } };
    const result = await cancelJob(this.env.DB, id);
    return result.ok
      ? { ok: true, data: toView(result.row) }
      : { ok: false, error: { code: result.code, detail: result.detail } };
  }

  /** A job by id. */
  async get(id: string): Promise<RpcResult<JobView>> {
    const row = typeof id === 'string' ? await findJob(this.env.DB, id) : null;
    return row
      ? { ok: true, data: toView(row) }
      : { ok: false, error: { code: 'NOT_FOUND', detail: `No job ${String(id)}.` } };
  }
}
