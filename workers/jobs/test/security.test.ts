import { env } from 'cloudflare:workers';
import { JOB_TYPES, type Principal, QUEUE_NAMES } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { jobs } from '../src/db/schema.js';
import { SCHEDULES } from '../src/schedules.js';
import wranglerToml from '../wrangler.toml?raw';
import { ADMIN, call, deliver, enqueue, sendJob } from './helpers.js';
import { storedJob, storedJobsWithKey } from './stored-job.js';

const INTERNAL_PAYLOADS: Record<string, unknown> = {
  'identity.maintenance': {},
  'notifications.maintenance': {},
  'notifications.erase-user': { userId: 'usr_victim' },
  'notifications.reset-devices': { userId: 'usr_victim' },
  'payments.reconcile': {},
  'payments.maintenance': {},
  'payments.erase-user': { userId: 'usr_victim' },
  'files.lifecycle': {},
  'files.erase-user': { userId: 'usr_victim' },
  'analytics.purge': {},
  'analytics.erase-user': { userId: 'usr_victim' },
  'jobs.purge': { olderThanDays: 1 },
};

const jobsWriter: Principal = { ...ADMIN, permissions: ['jobs:read', 'jobs:write'] };

const db = dbOf(env.DB);

const jobCount = (type: string) => db.$count(jobs, eq(jobs.type, type));

describe('enqueue over HTTP', () => {
  it('refuses every internal job type with 403 and writes nothing, while services still enqueue them', async () => {
    const internal = Object.entries(JOB_TYPES).filter(([, spec]) => (spec as { internal?: boolean }).internal);
    expect(internal.map(([type]) => type).sort()).toEqual(Object.keys(INTERNAL_PAYLOADS).sort());
    for (const [type] of internal) {
      const before = await jobCount(type);
      const res = await call('/api/v1/jobs', { json: { type, payload: INTERNAL_PAYLOADS[type] } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('internal') });
      expect(await jobCount(type)).toBe(before);
    }
    expect(await enqueue({ type: 'notifications.erase-user', payload: { userId: 'usr_gone' } })).toMatch(/^job_/);
  });

  it('needs notifications:send for a send job, and refuses identity and security templates', async () => {
    const withoutSend = await call('/api/v1/jobs', { json: sendJob('test.ok') }, jobsWriter);
    expect(withoutSend.status).toBe(403);
    expect(await withoutSend.json()).toMatchObject({ detail: expect.stringContaining('notifications:send') });
    for (const template of ['identity.reset-password', 'test.security']) {
      const res = await call('/api/v1/jobs', { json: sendJob(template, {}, { url: 'https://evil.example/' }) });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await call('/api/v1/jobs', { json: sendJob('test.ok') })).status).toBe(201);
  });

  it('replays a dead internal job over HTTP: its payload is the one a service wrote, not the caller’s', async () => {
    const id = await enqueue({ type: 'notifications.erase-user', payload: { userId: 'usr_replayed' } });
    await db.update(jobs).set({ status: 'dead' }).where(eq(jobs.id, id));
    const res = await call(`/api/v1/jobs/${id}/retry`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await storedJob(id)).payload).toEqual({ userId: 'usr_replayed' });
  });
});

describe('user events', () => {
  it('fans each user.account-claimed out as one reset-devices job, even when delivered twice', async () => {
    const event = {
      kind: 'user-event',
      id: `evt_${crypto.randomUUID()}`,
      type: 'user.account-claimed',
      userId: 'usr_claimed',
      occurredAt: new Date().toISOString(),
    };
    const first = await deliver(QUEUE_NAMES.userEvents, [{ body: event }, { body: event }]);
    expect(first.explicitAcks).toHaveLength(2);
    const made = await storedJobsWithKey(`user-event:${event.id}:notifications.reset-devices`);
    expect(made).toHaveLength(1);
    expect(made[0]?.type).toBe('notifications.reset-devices');
    expect(made[0]?.payload).toEqual({ userId: 'usr_claimed' });
  });
});

describe('notification maintenance', () => {
  it('runs every five minutes, with the same crons in every environment of wrangler.toml', () => {
    expect(SCHEDULES.find((s) => s.name === 'notifications-maintenance')?.cron).toBe('*/5 * * * *');
    const lists = [...wranglerToml.matchAll(/crons = (\[[^\]]*\])/g)].map((m) => new Set(JSON.parse(m[1] ?? '[]')));
    expect(lists).toHaveLength(3);
    for (const crons of lists) expect(crons).toEqual(new Set(SCHEDULES.map((s) => s.cron)));
  });
});
