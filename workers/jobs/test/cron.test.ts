import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { QUEUE_NAMES } from '@onasis/contracts';
import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { jobAttempts, jobs, scheduleRuns } from '../src/db/schema.js';
import worker from '../src/index.js';
import { SCHEDULES } from '../src/schedules.js';
import wranglerToml from '../wrangler.toml?raw';
import { analyticsOwner, call, deliver, deliverJobs, filesOwner, paymentsOwner } from './helpers.js';
import { storedJob, storedJobsWithKey } from './stored-job.js';

const db = dbOf(env.DB);

interface ScheduleBody {
  data: {
    name: string;
    cron: string;
    lastRun: { jobId: string; status: string; durationMs: number | null; startedAt: string | null } | null;
    nextRun: string;
  }[];
}

async function tick(cron: string, scheduledTime: number) {
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env);
}

describe('cron schedules', () => {
  it('declares in wrangler.toml exactly the distinct crons of the schedules', () => {
    const line = wranglerToml.split('\n').find((l: string) => l.startsWith('crons = '));
    const crons = JSON.parse(line?.slice('crons = '.length) ?? '[]') as string[];
    expect(new Set(crons)).toEqual(new Set(SCHEDULES.map((s) => s.cron)));
    expect(crons).toHaveLength(new Set(crons).size);
  });

  it('enqueues its schedule once per tick, runs it, and shows the last and next run', async () => {
    const scheduledTime = Date.UTC(2026, 10, 27, 12, 10);
    await tick('*/10 * * * *', scheduledTime);
    await tick('*/10 * * * *', scheduledTime); // the platform may fire a tick twice
    const runs = await db
      .select({ jobId: scheduleRuns.jobId })
      .from(scheduleRuns)
      .where(
        and(
          eq(scheduleRuns.schedule, 'identity-maintenance'),
          eq(scheduleRuns.scheduledTime, new Date(scheduledTime).toISOString()),
        ),
      );
    expect(runs).toHaveLength(1);
    const jobId = runs[0]?.jobId ?? '';
    const job = await storedJob(jobId);
    expect(job).toMatchObject({ type: 'identity.maintenance', status: 'queued' });
    expect(job.idempotencyKey).toBe(`schedule:identity-maintenance:${new Date(scheduledTime).toISOString()}`);

    await deliverJobs(jobId);
    expect((await storedJob(jobId)).status).toBe('succeeded');
    const body = (await (await call('/api/v1/jobs/schedules')).json()) as ScheduleBody;
    const identity = body.data.find((s) => s.name === 'identity-maintenance');
    expect(identity?.lastRun).toMatchObject({ jobId, status: 'succeeded' });
    expect(identity?.lastRun?.durationMs).toBeGreaterThanOrEqual(0);
    expect(identity?.lastRun?.startedAt).not.toBeNull();
    const next = Date.parse(identity?.nextRun ?? '');
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(10 * 60 * 1000);
    expect(new Date(next).getUTCMinutes() % 10).toBe(0);
    // A tick of another cron does not run this schedule.
    const purge = body.data.find((s) => s.name === 'jobs-purge');
    expect(purge?.cron).toBe('30 3 * * *');
    expect(new Date(purge?.nextRun ?? '').getUTCHours()).toBe(3);
  });

  it("runs a schedule now on an operator's request, as a recorded run", async () => {
    const res = await call('/api/v1/jobs/schedules/jobs-purge/run', { method: 'POST' });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string; type: string; status: string };
    expect(job).toMatchObject({ type: 'jobs.purge', status: 'queued' });
    const run = await db
      .select({ schedule: scheduleRuns.schedule })
      .from(scheduleRuns)
      .where(eq(scheduleRuns.jobId, job.id))
      .get();
    expect(run).toEqual({ schedule: 'jobs-purge' });
    const unknown = await call('/api/v1/jobs/schedules/nightly-nothing/run', { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('runs jobs.purge in-process, deleting finished jobs past retention and keeping recent ones', async () => {
    const old = new Date(Date.now() - 40 * 86400 * 1000).toISOString();
    await db.insert(jobs).values({
      id: 'job_oldpurge',
      type: 'jobs.purge',
      payload: {},
      status: 'succeeded',
      createdAt: old,
      updatedAt: old,
      finishedAt: old,
    });
    await tick('30 3 * * *', Date.UTC(2026, 10, 27, 3, 30));
    const run = await db
      .select({ jobId: scheduleRuns.jobId })
      .from(scheduleRuns)
      .where(eq(scheduleRuns.schedule, 'jobs-purge'))
      .orderBy(desc(scheduleRuns.scheduledTime))
      .get();
    await deliverJobs(run?.jobId ?? '');
    const purge = await storedJob(run?.jobId ?? '');
    expect(purge.status).toBe('succeeded');
    expect(purge.result).toMatchObject({ jobs: 1 });
    expect(await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, 'job_oldpurge'))).toEqual([]);
  });

  it('re-sends a job whose enqueue was interrupted before the send, on the next tick', async () => {
    const stale = new Date(Date.now() - 5 * 60 * 1000).toISOString();
    await db.insert(jobs).values({
      id: 'job_stranded',
      type: 'identity.maintenance',
      payload: {},
      status: 'queued',
      runAt: stale,
      createdAt: stale,
      updatedAt: stale,
    });
    await tick('0 3 * * *', Date.UTC(2026, 10, 28, 3, 0));
    expect((await storedJob('job_stranded')).sentAt).not.toBeNull();
  });

  it('takes back a job whose run died under its lease, closing the attempt as failed, and runs it again', async () => {
    const past = new Date(Date.now() - 20 * 60 * 1000).toISOString();
    await db.batch([
      db.insert(jobs).values({
        id: 'job_lapsed',
        type: 'identity.maintenance',
        payload: {},
        status: 'running',
        attempts: 1,
        leaseUntil: past,
        sentAt: past,
        createdAt: past,
        updatedAt: past,
      }),
      db.insert(jobAttempts).values({ jobId: 'job_lapsed', attempt: 1, startedAt: past }),
    ]);
    await tick('0 3 * * *', Date.UTC(2026, 10, 29, 3, 0));
    expect(await storedJob('job_lapsed')).toMatchObject({ status: 'queued', leaseUntil: null });
    const first = await db
      .select({ outcome: jobAttempts.outcome, error: jobAttempts.error })
      .from(jobAttempts)
      .where(eq(jobAttempts.jobId, 'job_lapsed'))
      .get();
    expect(first).toEqual({ outcome: 'failed', error: 'run interrupted: lease expired' });
    await deliverJobs('job_lapsed');
    expect(await storedJob('job_lapsed')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('user events', () => {
  it('fans each user.deleted out as one erase job per service holding user data, even when delivered twice', async () => {
    const event = {
      kind: 'user-event',
      id: `evt_${crypto.randomUUID()}`,
      type: 'user.deleted',
      userId: 'usr_gone',
      occurredAt: new Date().toISOString(),
    };
    const first = await deliver(QUEUE_NAMES.userEvents, [{ body: event }, { body: event }]);
    expect(first.explicitAcks).toHaveLength(2);
    await deliver(QUEUE_NAMES.userEvents, [{ body: event, attempts: 2 }, { body: { kind: 'nonsense' } }]);
    for (const type of [
      'notifications.erase-user',
      'payments.erase-user',
      'files.erase-user',
      'analytics.erase-user',
    ]) {
      const made = await storedJobsWithKey(`user-event:${event.id}:${type}`);
      expect(made).toHaveLength(1);
      expect(made[0]?.type).toBe(type);
      expect(made[0]?.payload).toEqual({ userId: 'usr_gone' });
    }
  });
});

describe('payments schedules', () => {
  it('runs payments.reconcile daily and payments.maintenance hourly with the payments Worker', async () => {
    const scheduledTime = Date.UTC(2026, 10, 27, 4, 15);
    await tick('15 4 * * *', scheduledTime);
    await tick('45 * * * *', scheduledTime + 30 * 60 * 1000);
    for (const [schedule, type] of [
      ['payments-reconcile', 'payments.reconcile'],
      ['payments-maintenance', 'payments.maintenance'],
    ] as const) {
      const run = await db
        .select({ jobId: scheduleRuns.jobId })
        .from(scheduleRuns)
        .where(eq(scheduleRuns.schedule, schedule))
        .orderBy(desc(scheduleRuns.scheduledTime))
        .get();
      const jobId = run?.jobId ?? '';
      expect(await storedJob(jobId)).toMatchObject({ type, payload: {} });
      await deliverJobs(jobId);
      expect((await storedJob(jobId)).status).toBe('succeeded');
      expect(await paymentsOwner.callsFor(jobId)).toEqual([expect.objectContaining({ type, attempt: 1 })]);
    }
  });

  it('runs files.lifecycle hourly with the files Worker', async () => {
    await tick('20 * * * *', Date.UTC(2026, 10, 27, 5, 20));
    const run = await db
      .select({ jobId: scheduleRuns.jobId })
      .from(scheduleRuns)
      .where(eq(scheduleRuns.schedule, 'files-lifecycle'))
      .orderBy(desc(scheduleRuns.scheduledTime))
      .get();
    const jobId = run?.jobId ?? '';
    expect(await storedJob(jobId)).toMatchObject({ type: 'files.lifecycle', payload: {} });
    await deliverJobs(jobId);
    expect((await storedJob(jobId)).status).toBe('succeeded');
    expect(await filesOwner.callsFor(jobId)).toEqual([
      expect.objectContaining({ type: 'files.lifecycle', attempt: 1 }),
    ]);
  });

  it('runs analytics.purge daily with the analytics Worker', async () => {
    await tick('50 2 * * *', Date.UTC(2026, 10, 27, 2, 50));
    const run = await db
      .select({ jobId: scheduleRuns.jobId })
      .from(scheduleRuns)
      .where(eq(scheduleRuns.schedule, 'analytics-purge'))
      .orderBy(desc(scheduleRuns.scheduledTime))
      .get();
    const jobId = run?.jobId ?? '';
    expect(await storedJob(jobId)).toMatchObject({ type: 'analytics.purge', payload: {} });
    await deliverJobs(jobId);
    expect((await storedJob(jobId)).status).toBe('succeeded');
    expect(await analyticsOwner.callsFor(jobId)).toEqual([
      expect.objectContaining({ type: 'analytics.purge', attempt: 1 }),
    ]);
  });

  it('binds the payments Worker in every environment of wrangler.toml', () => {
    const bindings = [...wranglerToml.matchAll(/binding = "PAYMENTS", service = "([^"]+)", entrypoint = "([^"]+)"/g)];
    expect(bindings.map((m) => [m[1], m[2]])).toEqual([
      ['onasis-payments-staging', 'PaymentsService'],
      ['onasis-payments-production', 'PaymentsService'],
    ]);
    expect(wranglerToml).toMatch(/binding = "PAYMENTS"\nservice = "onasis-payments"\nentrypoint = "PaymentsService"/);
  });
});
