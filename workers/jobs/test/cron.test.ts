import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { QUEUE_NAMES } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.js';
import { SCHEDULES } from '../src/schedules.js';
import wranglerToml from '../wrangler.toml?raw';
import { call, deliver, deliverJobs } from './helpers.js';
import { storedJob } from './stored-job.js';

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
    const runs = await env.DB.prepare(
      "SELECT job_id FROM schedule_runs WHERE schedule = 'identity-maintenance' AND scheduled_time = ?",
    )
      .bind(new Date(scheduledTime).toISOString())
      .all<{ job_id: string }>();
    expect(runs.results).toHaveLength(1);
    const jobId = runs.results[0]?.job_id ?? '';
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
    const run = await env.DB.prepare('SELECT schedule FROM schedule_runs WHERE job_id = ?').bind(job.id).first();
    expect(run).toEqual({ schedule: 'jobs-purge' });
    const unknown = await call('/api/v1/jobs/schedules/nightly-nothing/run', { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('runs jobs.purge in-process, deleting finished jobs past retention and keeping recent ones', async () => {
    const old = new Date(Date.now() - 40 * 86400 * 1000).toISOString();
    await env.DB.prepare(
      "INSERT INTO jobs (id, type, payload, status, created_at, updated_at, finished_at) VALUES ('job_oldpurge', 'jobs.purge', '{}', 'succeeded', ?, ?, ?)",
    )
      .bind(old, old, old)
      .run();
    await tick('30 3 * * *', Date.UTC(2026, 10, 27, 3, 30));
    const run = await env.DB.prepare(
      "SELECT job_id FROM schedule_runs WHERE schedule = 'jobs-purge' ORDER BY scheduled_time DESC",
    ).first<{ job_id: string }>();
    await deliverJobs(run?.job_id ?? '');
    const purge = await storedJob(run?.job_id ?? '');
    expect(purge.status).toBe('succeeded');
    expect(purge.result).toMatchObject({ jobs: 1 });
    expect(await env.DB.prepare("SELECT id FROM jobs WHERE id = 'job_oldpurge'").first()).toBeNull();
  });

  it('re-sends a job whose enqueue was interrupted before the send, on the next tick', async () => {
    const stale = new Date(Date.now() - 5 * 60 * 1000).toISOString();
    await env.DB.prepare(
      "INSERT INTO jobs (id, type, payload, status, run_at, created_at, updated_at) VALUES ('job_stranded', 'identity.maintenance', '{}', 'queued', ?, ?, ?)",
    )
      .bind(stale, stale, stale)
      .run();
    await tick('0 3 * * *', Date.UTC(2026, 10, 28, 3, 0));
    expect((await storedJob('job_stranded')).sentAt).not.toBeNull();
  });

  it('takes back a job whose run died under its lease, closing the attempt as failed, and runs it again', async () => {
    const past = new Date(Date.now() - 20 * 60 * 1000).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO jobs (id, type, payload, status, attempts, lease_until, sent_at, created_at, updated_at) VALUES ('job_lapsed', 'identity.maintenance', '{}', 'running', 1, ?, ?, ?, ?)",
      ).bind(past, past, past, past),
      env.DB.prepare("INSERT INTO job_attempts (job_id, attempt, started_at) VALUES ('job_lapsed', 1, ?)").bind(past),
    ]);
    await tick('0 3 * * *', Date.UTC(2026, 10, 29, 3, 0));
    expect(await storedJob('job_lapsed')).toMatchObject({ status: 'queued', leaseUntil: null });
    const first = await env.DB.prepare("SELECT outcome, error FROM job_attempts WHERE job_id = 'job_lapsed'").first();
    expect(first).toEqual({ outcome: 'failed', error: 'run interrupted: lease expired' });
    await deliverJobs('job_lapsed');
    expect(await storedJob('job_lapsed')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('user events', () => {
  it('fans each user.deleted out as one erase job, even when the event is delivered twice', async () => {
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
    const jobs = await env.DB.prepare('SELECT * FROM jobs WHERE idempotency_key = ?')
      .bind(`user-event:${event.id}`)
      .all<{ type: string; payload: string }>();
    expect(jobs.results).toHaveLength(1);
    expect(jobs.results[0]?.type).toBe('notifications.erase-user');
    expect(JSON.parse(jobs.results[0]?.payload ?? '{}')).toEqual({ userId: 'usr_gone' });
  });
});
