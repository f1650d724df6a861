import { env, exports } from 'cloudflare:workers';
import { QUEUE_NAMES } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { call, deliver, deliverJobs, enqueue, notificationsOwner, sendJob, waitForSent } from './helpers.js';
import { storedJob } from './stored-job.js';

describe('queue consumer', () => {
  it('runs a job once, records the attempt and acks', async () => {
    const id = await enqueue(sendJob('ok'));
    const result = await deliverJobs(id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await notificationsOwner.callsFor(id)).toMatchObject([{ attempt: 1, type: 'notifications.send' }]);
    const res = await call(`/api/v1/jobs/${id}`);
    const job = (await res.json()) as { status: string; attemptLog: { outcome: string; durationMs: number }[] };
    expect(job.status).toBe('succeeded');
    expect(job.attemptLog).toMatchObject([{ attempt: 1, outcome: 'succeeded', error: null }]);
    expect(job.attemptLog[0]?.durationMs).toBeGreaterThanOrEqual(0);
    // Raw SQL: the stored text itself, not drizzle's parse of it.
    const stored = await env.DB.prepare('SELECT result FROM jobs WHERE id = ?').bind(id).first();
    expect(stored).toEqual({ result: JSON.stringify({ delivered: id }) });
  });

  it('retries a throwing handler with growing delays, then dead-letters it with its payload', async () => {
    const input = sendJob('test.fail-always', { maxAttempts: 4, backoff: { baseSeconds: 10, capSeconds: 3600 } });
    const id = await enqueue(input);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await deliver(QUEUE_NAMES.jobs, [{ body: { jobId: id }, attempts: attempt }]);
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.retries[0]?.delaySeconds ?? 0);
      expect((await storedJob(id)).status).toBe('queued');
    }
    // Equal jitter: attempt n waits between base·2^(n-1)/2 and base·2^(n-1), so each wait is at least the last.
    expect(delays[0]).toBeGreaterThanOrEqual(5);
    expect(delays[0]).toBeLessThanOrEqual(10);
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0] ?? 0);
    expect(delays[2]).toBeGreaterThanOrEqual(delays[1] ?? 0);
    expect(delays[2]).toBeGreaterThan(delays[0] ?? 0);

    const last = await deliverJobs(id);
    expect(last.explicitAcks).toHaveLength(1);
    expect((await storedJob(id)).status).toBe('failed');
    const dlq = await waitForSent('test-jobs-dlq', (b) => b.some((m) => m.jobId === id));
    const letter = dlq.find((m) => m.jobId === id);
    expect(letter).toMatchObject({ jobId: id, attempt: 4 });

    // The DLQ consumer marks it dead, twice delivered or not.
    await deliver(QUEUE_NAMES.jobsDlq, [{ body: letter }, { body: letter }]);
    const dead = await storedJob(id);
    expect(dead.status).toBe('dead');
    expect(dead.payload).toEqual(input.payload);
    expect(dead.lastError).toContain('fixture failure on attempt 4');

    const list = (await (await call('/api/v1/jobs/dead-letters?limit=100')).json()) as {
      data: { id: string; payload: unknown; lastError: string }[];
    };
    expect(list.data.find((j) => j.id === id)).toMatchObject({
      payload: input.payload,
      lastError: expect.stringContaining('attempt 4'),
    });
    // A later message for a dead job runs nothing.
    await deliverJobs(id);
    expect(await notificationsOwner.callsFor(id)).toHaveLength(4);
  });

  it('dead-letters at once a job its owner answers as not retryable', async () => {
    const id = await enqueue(sendJob('test.permanent'));
    const result = await deliverJobs(id);
    expect(result.retryMessages).toHaveLength(0);
    expect((await storedJob(id)).status).toBe('failed');
    await waitForSent('test-jobs-dlq', (b) => b.some((m) => m.jobId === id));
  });

  it('replays a dead job, which then runs and succeeds', async () => {
    const id = await enqueue(sendJob('test.fail-until', { maxAttempts: 2 }, { attempt: 3 }));
    await deliverJobs(id);
    await deliverJobs(id);
    await deliver(QUEUE_NAMES.jobsDlq, [{ body: { jobId: id, attempt: 2, error: 'x' } }]);
    expect((await storedJob(id)).status).toBe('dead');
    const replay = await call(`/api/v1/jobs/${id}/retry`, { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: 'queued', maxAttempts: 4 });
    await deliverJobs(id);
    expect((await storedJob(id)).status).toBe('succeeded');
    expect((await notificationsOwner.callsFor(id)).map((c) => c.attempt)).toEqual([1, 2, 3]);
    // Replaying a job that is not dead conflicts.
    expect((await call(`/api/v1/jobs/${id}/retry`, { method: 'POST' })).status).toBe(409);
  });

  it('runs the side effect of a message delivered twice in one batch once', async () => {
    const id = await enqueue(sendJob('test.slow', {}, { ms: 20 }));
    const result = await deliver(QUEUE_NAMES.jobs, [{ body: { jobId: id } }, { body: { jobId: id } }]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await notificationsOwner.callsFor(id)).toHaveLength(1);
  });

  it('runs the side effect of a message delivered in two batches once', async () => {
    const id = await enqueue(sendJob('test.slow', {}, { ms: 20 }));
    await Promise.all([deliverJobs(id), deliverJobs(id)]);
    await deliverJobs(id);
    expect(await notificationsOwner.callsFor(id)).toHaveLength(1);
    expect((await storedJob(id)).attempts).toBe(1);
  });

  it('holds the concurrency limit under a burst and runs every job eventually', async () => {
    await notificationsOwner.resetPeak();
    const key = `burst-${crypto.randomUUID()}`;
    const ids = await Promise.all(
      Array.from({ length: 10 }, () =>
        enqueue(sendJob('test.slow', { concurrencyKey: key, concurrencyLimit: 2 }, { ms: 40 })),
      ),
    );
    let pending = ids;
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const result = await deliver(
        QUEUE_NAMES.jobs,
        pending.map((jobId) => ({ body: { jobId } })),
      );
      // Deferred messages come back without spending an attempt.
      for (const r of result.retries) expect(r.delaySeconds).toBe(5);
      pending = result.retries.map((r) => pending[Number(r.msgId.split('-')[1])] ?? '');
    }
    expect(pending).toHaveLength(0);
    expect(await notificationsOwner.peak()).toBe(2);
    for (const id of ids) {
      const job = await storedJob(id);
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(1);
    }
  });

  it('cancels a pending job, which the consumer then skips; a second cancel conflicts', async () => {
    const id = await enqueue(sendJob('ok'));
    const res = await call(`/api/v1/jobs/${id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'cancelled' });
    await deliverJobs(id);
    expect(await notificationsOwner.callsFor(id)).toHaveLength(0);
    const again = await call(`/api/v1/jobs/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await call('/api/v1/jobs/job_missing/cancel', { method: 'POST' })).status).toBe(404);
    expect(await exports.JobsService.cancel(id)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('lists jobs filtered by status and type with a cursor', async () => {
    const type = 'notifications.erase-user';
    for (let i = 0; i < 3; i++) await enqueue({ type, payload: { userId: `usr_list${i}` } });
    const first = (await (await call(`/api/v1/jobs?type=${type}&status=queued&limit=2`)).json()) as {
      data: { type: string }[];
      nextCursor: string;
    };
    expect(first.data).toHaveLength(2);
    expect(first.data.every((j) => j.type === type)).toBe(true);
    const second = (await (
      await call(`/api/v1/jobs?type=${type}&status=queued&limit=2&cursor=${first.nextCursor}`)
    ).json()) as { data: unknown[] };
    expect(second.data.length).toBeGreaterThanOrEqual(1);
    expect((await call('/api/v1/jobs?cursor=bogus')).status).toBe(400);
  });
});
