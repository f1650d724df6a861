import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { NotificationMessage } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.js';
import { sendNotification } from '../src/services/send.js';
import { admin, call, createTemplate, createUser, eventually, principalOf, recordingQueue } from './helpers.js';
import { storedDelivery } from './stored-delivery.js';

const key = () => `test.s${crypto.randomUUID().slice(0, 8)}`;
const everywhere = { channels: ['email', 'inapp'], subject: 'S', text: 'T {{x}}', html: '<p>H</p>' };

async function optIn(userId: string, category: string, channel: string, enabled = true) {
  const res = await call(
    '/api/v1/notifications/preferences',
    { method: 'PUT', json: { preferences: [{ category, channel, enabled }] } },
    principalOf(userId),
  );
  expect(res.status).toBe(200);
}

describe('sending', () => {
  it('fans out to the template’s channels that preferences allow; marketing only after an opt-in', async () => {
    const user = await createUser();
    const product = key();
    const marketing = key();
    await createTemplate({ key: product, category: 'product', ...everywhere });
    await createTemplate({ key: marketing, category: 'marketing', ...everywhere });

    const send = (template: string) =>
      sendNotification(env, { to: user.id, template, data: {}, idempotencyKey: crypto.randomUUID() }, recordingQueue());
    const channels = async (template: string) => {
      const r = await send(template);
      if (!r.ok) throw new Error(r.error.detail);
      return r.data.deliveries.map((d) => d.channel).sort();
    };
    expect(await channels(product)).toEqual(['email', 'inapp']);
    expect(await channels(marketing)).toEqual([]);

    await optIn(user.id, 'product', 'email', false);
    expect(await channels(product)).toEqual(['inapp']);
    await optIn(user.id, 'marketing', 'email');
    expect(await channels(marketing)).toEqual(['email']);
  });

  it('sends security messages whatever the preferences say', async () => {
    const user = await createUser();
    const res = await call(
      '/api/v1/notifications/preferences',
      { method: 'PUT', json: { preferences: [{ category: 'security', channel: 'email', enabled: false }] } },
      principalOf(user.id),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ path: 'body.preferences.0.enabled' }] });
    const r = await sendNotification(
      env,
      {
        to: user.id,
        template: 'identity.mfa-changed',
        data: { change: 'enabled' },
        idempotencyKey: crypto.randomUUID(),
      },
      recordingQueue(),
    );
    expect(r.ok && r.data.deliveries.map((d) => d.channel).sort()).toEqual(['email', 'inapp']);
  });

  it('answers the same deliveries for the same key and enqueues each once', async () => {
    const user = await createUser();
    const queue = recordingQueue();
    const req = {
      to: user.id,
      template: 'identity.mfa-changed',
      data: { change: 'disabled' },
      idempotencyKey: crypto.randomUUID(),
    };
    const first = await sendNotification(env, req, queue);
    const second = await sendNotification(env, req, queue);
    if (!first.ok || !second.ok) throw new Error('send failed');
    expect(second.data.deliveries.map((d) => d.id)).toEqual(first.data.deliveries.map((d) => d.id));
    expect([first.data.enqueued, second.data.enqueued]).toEqual([2, 0]);
    expect(queue.sent.map((m) => m.deliveryId).sort()).toEqual(first.data.deliveries.map((d) => d.id).sort());
  });

  it('addresses bare emails, E.164 numbers and slack by their one channel', async () => {
    const k = key();
    await createTemplate({
      key: k,
      category: 'product',
      channels: ['email', 'sms', 'chat', 'push', 'inapp'],
      subject: 'S',
      text: 'T',
    });
    for (const [to, channel] of [
      ['x@example.com', 'email'],
      ['+14155550123', 'sms'],
      ['slack', 'chat'],
    ]) {
      const r = await sendNotification(
        env,
        { to: to ?? '', template: k, data: {}, idempotencyKey: crypto.randomUUID() },
        recordingQueue(),
      );
      expect(r.ok && r.data.deliveries.map((d) => [d.channel, d.address])).toEqual([
        [channel, to === 'slack' ? null : to],
      ]);
    }
  });

  it('sends nothing to an unknown or disabled user, and says so', async () => {
    const disabled = await createUser({ status: 'disabled' });
    const r = await sendNotification(
      env,
      { to: disabled.id, template: 'identity.mfa-changed', data: {}, idempotencyKey: crypto.randomUUID() },
      recordingQueue(),
    );
    expect(r).toMatchObject({
      ok: true,
      data: { deliveries: [], skipped: expect.stringContaining('unknown or disabled') },
    });
  });

  it('answers 400 over HTTP for an unknown template or recipient, and needs notifications:send', async () => {
    const send = (body: unknown, who = admin) => call('/api/v1/notifications/send', { json: body }, who);
    const template = `test.http${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({ key: template, channels: ['email'], category: 'product', subject: 'S', text: 'T' });
    const unknown = await send({ to: 'x@example.com', template: 'nope', idempotencyKey: 'k1' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'template' }] });
    for (const to of ['not an address', 'a\u0000b', 'a\u0000b@example.com', 'line\r\nBcc: x@example.com', '\u0007']) {
      const bad = await send({ to, template, idempotencyKey: 'k2' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'to', message: expect.any(String) }],
      });
    }
    expect((await send({ to: 'x@example.com', template, idempotencyKey: 'k3' }, principalOf('usr_y'))).status).toBe(
      403,
    );
    const ok = await send({ to: 'x@example.com', template, idempotencyKey: crypto.randomUUID() });
    expect(ok.status).toBe(202);
  });

  it('refuses identity and security templates over HTTP and in send jobs, but not from identity', async () => {
    const send = (body: unknown) => call('/api/v1/notifications/send', { json: body }, admin);
    for (const template of ['identity.reset-password', 'identity.not-shipped', 'notifications.verify-phone']) {
      const res = await send({
        to: 'victim@example.com',
        template,
        data: { url: 'https://evil.example/' },
        idempotencyKey: crypto.randomUUID(),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await exports.NotificationsService.vetSend({ template: 'notifications.verify-phone' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const job = await exports.NotificationsService.runJob({
      id: 'job_x',
      type: 'notifications.send',
      payload: { to: 'victim@example.com', template: 'identity.reset-password', idempotencyKey: crypto.randomUUID() },
      attempt: 1,
      maxAttempts: 5,
      scheduledFor: new Date().toISOString(),
    });
    expect(job).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' }, retryable: false });
    const rows = await env.DB.prepare(
      "SELECT count(*) AS n FROM deliveries WHERE recipient = 'victim@example.com'",
    ).first<{
      n: number;
    }>();
    expect(rows?.n).toBe(0);
  });

  it('RPC send validates its input and returns the deliveries', async () => {
    const bad = await exports.NotificationsService.send({ to: '', template: 'x', idempotencyKey: 'k' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const good = await exports.NotificationsService.send({
      to: 'rpc@example.com',
      template: 'identity.mfa-changed',
      idempotencyKey: crypto.randomUUID(),
    });
    expect(good).toMatchObject({ ok: true, data: { deliveries: [{ channel: 'email', status: 'queued' }] } });
  });

  it('turns identity’s verification message into a sandbox email holding the link', async () => {
    const user = await createUser();
    const url = `http://localhost:8787/verify-email?token=t0k3n-${user.id}`;
    const message: NotificationMessage = {
      kind: 'notification',
      idempotencyKey: `ntf_${crypto.randomUUID()}`,
      to: user.id,
      template: 'identity.verify-email',
      category: 'security',
      data: { token: 't0k3n', url },
      createdAt: new Date().toISOString(),
    };
    const batch = createMessageBatch('onasis-notifications', [
      { id: 'm0', timestamp: new Date(), attempts: 1, body: message },
      { id: 'm1', timestamp: new Date(), attempts: 1, body: message },
    ]);
    await worker.queue(batch, env, createExecutionContext());
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks.sort()).toEqual(['m0', 'm1']);

    // The real queue carries the delivery message to this Worker's own consumer, which sends through the sandbox.
    const sent = await eventually(async () => {
      const r = await env.DB.prepare("SELECT id FROM deliveries WHERE recipient = ? AND status = 'sent'")
        .bind(user.id)
        .all<{ id: string }>();
      return r.results.length > 0 ? r.results : null;
    });
    expect(sent).toHaveLength(1);
    const d = await storedDelivery(sent[0]?.id ?? '');
    expect(d).toMatchObject({
      channel: 'email',
      provider: 'sandbox',
      address: user.email,
      template: 'identity.verify-email',
    });
    expect(d?.bodyText).toContain(url);
    expect(d?.bodyHtml).toContain(`href="${url}"`);
    expect(d?.data).toMatchObject({ token: 't0k3n' });
  });

  it('sends identity’s message to toAddress when given', async () => {
    const user = await createUser();
    const r = await sendNotification(
      env,
      {
        to: user.id,
        toAddress: 'old@example.com',
        template: 'identity.email-changed',
        data: {},
        idempotencyKey: crypto.randomUUID(),
        category: 'security',
      },
      recordingQueue(),
    );
    expect(r.ok && r.data.deliveries[0]?.address).toBe('old@example.com');
  });

  it('drops a malformed queue message instead of retrying it forever', async () => {
    const batch = createMessageBatch('onasis-notifications', [
      { id: 'm0', timestamp: new Date(), attempts: 1, body: { kind: 'notification', to: 42 } },
    ]);
    await worker.queue(batch, env, createExecutionContext());
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages).toEqual([]);
  });
});
