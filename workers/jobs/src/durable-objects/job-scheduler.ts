import { DurableObject } from 'cloudflare:workers';
import { releaseScheduledJob } from '../services/release-scheduled-job.js';

/**
 * Holds jobs due later than the queue's 12 h delay limit or at an exact time, as (job id, due time) rows in its own
 * SQLite storage, with one alarm at the earliest. A row is deleted only after its job reached the queue, so an alarm
 * interrupted half-way runs again and finishes; running it twice sends nothing twice (see releaseScheduledJob).
 */
export class JobScheduler extends DurableObject<JobsEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: JobsEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS timers (job_id TEXT PRIMARY KEY, due_ms INTEGER NOT NULL)');
  }

  /** Holds `jobId` until `dueMs`; scheduling a job again replaces its time (the sweep may re-register it). */
  async schedule(jobId: string, dueMs: number): Promise<void> {
    this.sql.exec('INSERT OR REPLACE INTO timers (job_id, due_ms) VALUES (?, ?)', jobId, dueMs);
    await this.arm();
  }

  /** Sends every job due at `nowMs` to the queue and re-arms for the rest. The alarm calls it with the clock. */
  async flush(nowMs: number): Promise<string[]> {
    const due = this.sql
      .exec<{ job_id: string }>('SELECT job_id FROM timers WHERE due_ms <= ? ORDER BY due_ms LIMIT 100', nowMs)
      .toArray();
    const sent: string[] = [];
    for (const { job_id } of due) {
      if (await releaseScheduledJob(this.env, job_id, new Date(nowMs))) sent.push(job_id);
      this.sql.exec('DELETE FROM timers WHERE job_id = ?', job_id);
    }
    await this.arm();
    return sent;
  }

  override async alarm(): Promise<void> {
    await this.flush(Date.now());
  }

  private async arm(): Promise<void> {
    const next = this.sql.exec<{ due: number | null }>('SELECT MIN(due_ms) AS due FROM timers').one().due;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}
