import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { JobScheduler } from '../src/durable-objects/job-scheduler.js';
import { deliverJobs, enqueue, notificationsOwner, sendJob, waitForSent } from './helpers.js';
import { storedJob } from './stored-job.js';

const scheduler = () => env.SCHEDULER.get(env.SCHEDULER.idFromName('global'));

/** The timers the scheduler holds, read from its own storage. */
function timers(state: DurableObjectState): { jobId: string; dueMs: number }[] {
  return state.storage.sql
    .exec<{ job_id: string; due_ms: number }>('SELECT job_id, due_ms FROM timers ORDER BY due_ms')
    .toArray()
    .map((r) => ({ jobId: r.job_id, dueMs: r.due_ms }));
}

describe('scheduler', () => {
  it('holds a job delayed past 12 hours until its time, then sends it to the queue once', async () => {
    const before = Date.now();
    const id = await enqueue(sendJob('later', { delaySeconds: 13 * 3600 }));
    const job = await storedJob(id);
    expect(job.status).toBe('scheduled');
    const dueMs = Date.parse(job.runAt ?? '');
    expect(dueMs).toBeGreaterThanOrEqual(before + 13 * 3600 * 1000);

    await runInDurableObject(scheduler(), async (instance: JobScheduler, state) => {
      expect(timers(state)).toContainEqual({ jobId: id, dueMs });
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(dueMs);
      // A second before its time nothing is sent; at its time it is, and a repeated flush sends nothing more.
      expect(await instance.flush(dueMs - 1000)).not.toContain(id);
      expect((await storedJob(id)).status).toBe('scheduled');
      expect(await instance.flush(dueMs)).toContain(id);
      expect(await instance.flush(dueMs)).not.toContain(id);
    });
    expect((await storedJob(id)).status).toBe('queued');
    const sent = await waitForSent('test-jobs', (b) => b.some((m) => m.jobId === id));
    expect(sent.filter((m) => m.jobId === id)).toHaveLength(1);
    await deliverJobs(id);
    expect(await notificationsOwner.callsFor(id)).toHaveLength(1);
  });

  it('fires an exact-time job through the alarm', async () => {
    const runAt = new Date(Date.now() - 1000).toISOString();
    const id = await enqueue(sendJob('exact', { runAt }));
    expect((await storedJob(id)).status).toBe('scheduled');
    expect(await runDurableObjectAlarm(scheduler())).toBe(true);
    const job = await storedJob(id);
    expect(job.status).toBe('queued');
    expect(job.sentAt).not.toBeNull();
    await waitForSent('test-jobs', (b) => b.some((m) => m.jobId === id));
  });

  it('drops a cancelled scheduled job when its alarm fires', async () => {
    const id = await enqueue(sendJob('cancelled', { runAt: new Date(Date.now() - 1000).toISOString() }));
    expect(await exports.JobsService.cancel(id)).toMatchObject({ ok: true, data: { status: 'cancelled' } });
    await runDurableObjectAlarm(scheduler());
    expect((await storedJob(id)).status).toBe('cancelled');
    await runInDurableObject(scheduler(), (_instance: JobScheduler, state) => {
      expect(timers(state).map((t) => t.jobId)).not.toContain(id);
    });
  });
});
