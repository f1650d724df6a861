import { EnqueueJobSchema, type HealthReport, type RpcResult, rpcInput } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { z } from 'zod';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { dbOf } from './db/client.js';
import { enqueueJob } from './services/enqueue-job.js';
import { cancelJob } from './services/job-actions.js';
import { findJob, type JobView, toView } from './services/job-rows.js';

const JobIdSchema = z.string().min(1).max(64);

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
  async enqueue(job: unknown): Promise<RpcResult<JobView>> {
    const input = rpcInput(EnqueueJobSchema, job);
    if (!input.ok) return input;
    const result = await enqueueJob(this.env, input.data);
    return result.ok ? { ok: true, data: toView(result.row) } : { ok: false, error: result.error };
  }

  /** Cancels a scheduled or queued job; CONFLICT for any other state. */
  async cancel(id: string): Promise<RpcResult<JobView>> {
    const input = rpcInput(JobIdSchema, id);
    if (!input.ok) return input;
    const result = await cancelJob(dbOf(this.env.DB), input.data);
    return result.ok
      ? { ok: true, data: toView(result.row) }
      : { ok: false, error: { code: result.code, detail: result.detail } };
  }

  /** A job by id. */
  async get(id: string): Promise<RpcResult<JobView>> {
    const input = rpcInput(JobIdSchema, id);
    if (!input.ok) return input;
    const row = await findJob(dbOf(this.env.DB), input.data);
    return row ? { ok: true, data: toView(row) } : { ok: false, error: { code: 'NOT_FOUND', detail: `No job ${id}.` } };
  }
}
