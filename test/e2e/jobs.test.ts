import { describe, expect, it } from 'vitest';
import { api, expectProblem, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';

interface Job {
  id: string;
  type: string;
  status: string;
  payload: Record<string, unknown>;
  attemptLog?: { attempt: number; outcome: string | null; durationMs: number | null }[];
}

/** The job once it reached a final status, polling the API as an operator would. */
async function finished(id: string, token: string): Promise<Job> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api(`/api/v1/jobs/${id}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const job = (await res.json()) as Job;
    if (['succeeded', 'dead', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('background jobs through the gateway', () => {
  it('runs an admin-enqueued job on its owning Worker and records the attempt', async () => {
    const token = await adminToken();
    const template = unique('e2e.job-note').toLowerCase();
    const created = await api(
      '/api/v1/notifications/templates',
      jsonRequest(
        'POST',
        { key: template, channels: ['inapp'], category: 'product', subject: 'Job note', text: 'Hello {{who}}' },
        bearer(token),
      ),
    );
    expect(created.status).toBe(201);
    const user = await registeredUser();
    const res = await api(
      '/api/v1/jobs',
      jsonRequest(
        'POST',
        {
          type: 'notifications.send',
          payload: { to: user.id, template, data: { who: 'from a job' }, idempotencyKey: unique('job-send') },
        },
        bearer(token),
      ),
    );
    expect(res.status).toBe(201);
    const job = await finished(((await res.json()) as Job).id, token);
    expect(job.status).toBe('succeeded');
    expect(job.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'succeeded' })]);
    // The job hands the send to the notifications queue; its consumer fills the inbox soon after.
    let inbox = '';
    for (const deadline = Date.now() + 20_000; !inbox.includes('Hello from a job') && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 250));
      inbox = await (await api('/api/v1/notifications', { headers: bearer(user.tokens.accessToken) })).text();
    }
    expect(inbox).toContain('Hello from a job');
    await expectProblem(
      await api('/api/v1/jobs', jsonRequest('POST', { type: 'no.such-type', payload: {} }, bearer(token))),
      400,
      'VALIDATION_FAILED',
    );
    // Housekeeping and erasure run only from schedules and services, even for an admin.
    await expectProblem(
      await api('/api/v1/jobs', jsonRequest('POST', { type: 'identity.maintenance', payload: {} }, bearer(token))),
      403,
      'FORBIDDEN',
    );
  });

  it('runs a schedule on request and shows its last run', async () => {
    const token = await adminToken();
    const res = await api('/api/v1/jobs/schedules/identity-maintenance/run', {
      method: 'POST',
      headers: bearer(token),
    });
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as Job).id, token);
    expect(job.status).toBe('succeeded');
    const schedules = (await (await api('/api/v1/jobs/schedules', { headers: bearer(token) })).json()) as {
      data: { name: string; lastRun: { jobId: string; status: string } | null; nextRun: string | null }[];
    };
    const identity = schedules.data.find((s) => s.name === 'identity-maintenance');
    expect(identity?.lastRun).toMatchObject({ jobId: job.id, status: 'succeeded' });
    expect(Date.parse(identity?.nextRun ?? '')).toBeGreaterThan(Date.now());
  });

  it('fans a deleted account out to the services that erase its data', async () => {
    const user = await registeredUser();
    const del = await api(
      '/api/v1/users/me',
      jsonRequest('DELETE', { currentPassword: user.password }, bearer(user.tokens.accessToken)),
    );
    expect(del.status).toBe(204);
    const token = await adminToken();
    // Each service that holds the user's data runs its own erase job, and each one succeeds.
    for (const type of [
      'notifications.erase-user',
      'payments.erase-user',
      'files.erase-user',
      'analytics.erase-user',
    ]) {
      const deadline = Date.now() + 30_000;
      let erase: Job | undefined;
      while (!erase) {
        const list = (await (await api(`/api/v1/jobs?type=${type}&limit=100`, { headers: bearer(token) })).json()) as {
          data: Job[];
        };
        erase = list.data.find((j) => j.payload.userId === user.id);
        if (!erase && Date.now() > deadline) throw new Error(`no ${type} job for the deleted user`);
        if (!erase) await new Promise((r) => setTimeout(r, 250));
      }
      expect((await finished(erase.id, token)).status, type).toBe('succeeded');
    }
  });

  it('keeps the ledger from members', async () => {
    const user = await registeredUser();
    await expectProblem(await api('/api/v1/jobs', { headers: bearer(user.tokens.accessToken) }), 403, 'FORBIDDEN');
  });
});
