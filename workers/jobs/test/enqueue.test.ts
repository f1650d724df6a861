import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { jobs } from '../src/db/schema.js';
import { call, enqueueRpc, sendJob, waitForSent } from './helpers.js';
import { storedJob } from './stored-job.js';

describe('enqueue', () => {
  it('refuses an unknown type, a bad payload and delay with runAt over HTTP as 400 problems', async () => {
    const cases = [
      [{ type: 'nope.nothing', payload: {} }, 'type'],
      [{ type: 'jobs.purge', payload: { olderThanDays: 'x' } }, 'payload.olderThanDays'],
      [{ type: 'jobs.purge', payload: { olderThanDays: 1 }, delaySeconds: 5, runAt: '2030-01-01T00:00:00Z' }, 'runAt'],
    ] as const;
    for (const [json, path] of cases) {
      const res = await call('/api/v1/jobs', { json });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { code: string; errors: { path: string }[] };
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
  });

  it('answers the same refusals over RPC as a result, not a throw', async () => {
    const unknown = await enqueueRpc({ type: 'nope.nothing', payload: {} });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const bad = await enqueueRpc({ type: 'notifications.erase-user', payload: { userId: 3 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const both = await enqueueRpc({ ...sendJob('x'), delaySeconds: 1, runAt: '2030-01-01T00:00:00Z' });
    expect(both.ok).toBe(false);
  });

  it('refuses a caller without jobs:write', async () => {
    const res = await call(
      '/api/v1/jobs',
      { json: sendJob('x') },
      { userId: 'usr_x', sessionId: null, permissions: ['jobs:read'], via: 'access_token' },
    );
    expect(res.status).toBe(403);
  });

  it('writes the job, sends it to the queue and returns it; a repeated idempotency key returns the same job', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const first = await call('/api/v1/jobs', { json: sendJob('hello', { idempotencyKey: key }) });
    expect(first.status).toBe(201);
    const job = (await first.json()) as { id: string; status: string };
    expect(job).toMatchObject({ status: 'queued' });
    const again = await call('/api/v1/jobs', { json: sendJob('other', { idempotencyKey: key }) });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(job.id);
    const rpc = await enqueueRpc(sendJob('third', { idempotencyKey: key }));
    expect(rpc).toMatchObject({ ok: true, data: { id: job.id } });
    expect((await storedJob(job.id)).sentAt).not.toBeNull();
    const sent = await waitForSent('test-jobs', (b) => b.some((m) => m.jobId === job.id));
    expect(sent.filter((m) => m.jobId === job.id)).toHaveLength(1);
  });

  it('lets a key make a new job once its first job is older than 24 hours', async () => {
    const key = `old-${crypto.randomUUID()}`;
    const first = await enqueueRpc(sendJob('a', { idempotencyKey: key }));
    if (!first.ok) throw new Error('enqueue failed');
    await dbOf(env.DB)
      .update(jobs)
      .set({ createdAt: new Date(Date.now() - 25 * 3600 * 1000).toISOString() })
      .where(eq(jobs.id, first.data.id));
    const second = await enqueueRpc(sendJob('b', { idempotencyKey: key }));
    expect(second.ok && second.data.id).not.toBe(first.data.id);
  });

  it('makes one job when two enqueues with one key race', async () => {
    const key = `race-${crypto.randomUUID()}`;
    const results = await Promise.all([1, 2, 3, 4].map(() => enqueueRpc(sendJob('r', { idempotencyKey: key }))));
    const ids = new Set(results.map((r) => (r.ok ? r.data.id : 'failed')));
    expect(ids.size).toBe(1);
    expect(ids.has('failed')).toBe(false);
  });
});
