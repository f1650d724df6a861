import { env, exports } from 'cloudflare:workers';
import type { JobRun } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { deliver } from '../src/services/deliver.js';
import { call, createTemplate, createUser, eventually, principalOf, queuedDeliveries } from './helpers.js';
import { storedDelivery } from './stored-delivery.js';

const run = (type: string, payload: unknown): JobRun =>
  ({
    id: `job_${crypto.randomUUID()}`,
    type,
    payload,
    attempt: 1,
    maxAttempts: 5,
    scheduledFor: new Date().toISOString(),
  }) as JobRun;

describe('runJob', () => {
  it('erases what it holds about a user, and keeps anonymised delivery rows', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone: '+14155550123' } }, me);
    await call('/api/v1/notifications/push-targets', { json: { kind: 'fcm', token: `t-${user.id}` } }, me);
    await call(
      '/api/v1/notifications/preferences',
      { method: 'PUT', json: { preferences: [{ category: 'marketing', channel: 'email', enabled: true }] } },
      me,
    );
    const deliveries = await queuedDeliveries({
      to: user.id,
      template: 'identity.mfa-changed',
      data: { change: 'enabled' },
    });
    const inapp = deliveries.find((d) => d.channel === 'inapp');
    await deliver(env, inapp?.id ?? '');

    const outcome = await exports.NotificationsService.runJob(run('notifications.erase-user', { userId: user.id }));
    expect(outcome).toMatchObject({ ok: true });
    const count = async (table: string) =>
      (
        await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
          .bind(user.id)
          .first<{ n: number }>()
      )?.n;
    for (const table of ['preferences', 'inbox_items', 'push_targets', 'phone_numbers'])
      expect(await count(table)).toBe(0);
    const email = deliveries.find((d) => d.channel === 'email');
    expect(await storedDelivery(email?.id ?? '')).toMatchObject({
      address: null,
      bodyText: null,
      data: null,
      status: 'failed',
      error: 'recipient erased',
    });
    expect(
      await exports.NotificationsService.runJob(run('notifications.erase-user', { userId: user.id })),
    ).toMatchObject({ ok: true });
  });

  it('re-queues stranded deliveries and purges old rows in maintenance', async () => {
    const [stranded] = await queuedDeliveries({
      to: 'stranded@example.com',
      template: 'identity.mfa-changed',
      data: {},
    });
    const [old] = await queuedDeliveries({ to: 'old@example.com', template: 'identity.mfa-changed', data: {} });
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const ancient = new Date(Date.now() - 100 * 24 * 3600_000).toISOString();
    await env.DB.prepare('UPDATE deliveries SET updated_at = ?, created_at = ? WHERE id = ?')
      .bind(longAgo, longAgo, stranded?.id ?? '')
      .run();
    await env.DB.prepare("UPDATE deliveries SET status = 'sent', created_at = ? WHERE id = ?")
      .bind(ancient, old?.id ?? '')
      .run();

    const [waiting] = await queuedDeliveries({ to: 'waiting@example.com', template: 'identity.mfa-changed', data: {} });
    const retryDue = new Date(Date.now() + 30 * 60_000).toISOString();
    await env.DB.prepare('UPDATE deliveries SET updated_at = ?, created_at = ?, lease_until = ? WHERE id = ?')
      .bind(longAgo, longAgo, retryDue, waiting?.id ?? '')
      .run();

    const outcome = await exports.NotificationsService.runJob(run('notifications.maintenance', {}));
    // A delivery waiting for its retry is not stranded: maintenance leaves it to its own queue message.
    expect(await storedDelivery(waiting?.id ?? '')).toMatchObject({ status: 'queued', updatedAt: longAgo });
    expect(outcome).toMatchObject({
      ok: true,
      data: { requeued: expect.any(Number), purgedDeliveries: expect.any(Number) },
    });
    expect(await storedDelivery(old?.id ?? '')).toBeNull();
    // The real queue carries the re-queued delivery to this Worker's consumer, which sends it through the sandbox.
    await eventually(async () => (await storedDelivery(stranded?.id ?? ''))?.status === 'sent');
  });

  it('sends a notifications.send job once, by its key', async () => {
    const template = `test.job${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({
      key: template,
      channels: ['email'],
      category: 'product',
      subject: 'S',
      text: 'T {{change}}',
    });
    const payload = {
      to: 'job@example.com',
      template,
      data: { change: 'enabled' },
      idempotencyKey: crypto.randomUUID(),
    };
    const a = await exports.NotificationsService.runJob(run('notifications.send', payload));
    const b = await exports.NotificationsService.runJob(run('notifications.send', payload));
    expect(a).toMatchObject({ ok: true });
    expect(b).toEqual(a);
    const bad = await exports.NotificationsService.runJob(run('notifications.send', { to: 'x' }));
    expect(bad).toMatchObject({ ok: false, retryable: false });
  });

  it('refuses a job type it does not run, without retries', async () => {
    expect(await exports.NotificationsService.runJob(run('identity.maintenance', {}))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});

describe('delivery log', () => {
  it('lists deliveries by filter with the sandbox rendering, and gets one', async () => {
    const to = `log-${crypto.randomUUID().slice(0, 6)}@example.com`;
    const admin = principalOf('usr_admin', ['notifications:manage']);
    await queuedDeliveries({ to, template: 'identity.mfa-changed', data: { change: 'enabled' } });
    const [d] = await queuedDeliveries({ to, template: 'identity.mfa-changed', data: { change: 'disabled' } });
    await deliver(env, d?.id ?? '');
    const res = await call(
      `/api/v1/notifications/deliveries?recipient=${encodeURIComponent(to)}&status=sent`,
      {},
      admin,
    );
    const page = (await res.json()) as { data: { id: string; provider: string; bodyText: string }[] };
    expect(page.data.map((x) => x.id)).toEqual([d?.id]);
    expect(page.data[0]).toMatchObject({ provider: 'sandbox', bodyText: expect.stringContaining('disabled') });
    const all = (await (
      await call(`/api/v1/notifications/deliveries?recipient=${encodeURIComponent(to)}&limit=1`, {}, admin)
    ).json()) as { nextCursor: string };
    expect(all.nextCursor).toEqual(expect.any(String));
    expect((await call(`/api/v1/notifications/deliveries/${d?.id}`, {}, admin)).status).toBe(200);
    expect((await call('/api/v1/notifications/deliveries/dlv_nope', {}, admin)).status).toBe(404);
    expect((await call('/api/v1/notifications/deliveries', {}, principalOf('usr_z'))).status).toBe(403);
  });
});
