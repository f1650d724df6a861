import { createMessageBatch } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { JobRun } from '@onasis/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Provider, SendOutcome } from '../src/providers/types.js';
import { consumeNotifications } from '../src/queue.js';
import { deliver } from '../src/services/deliver.js';
import { deliveryView } from '../src/services/deliveries.js';
import { MAX_BATCH_MESSAGES, sendInBatches } from '../src/services/queue-batches.js';
import { runMaintenance } from '../src/services/run-maintenance.js';
import { sendNotification } from '../src/services/send.js';
import { smsAllowed } from '../src/services/sms-countries.js';
import { admin, call, createTemplate, createUser, principalOf, queuedDeliveries, recordingQueue } from './helpers.js';
import { storedDelivery } from './stored-delivery.js';

afterEach(() => vi.restoreAllMocks());

const provider = (outcome: SendOutcome, name = 'resend'): Provider => ({
  name,
  channel: 'email',
  async send() {
    return outcome;
  },
});

const jobRun = (type: string, payload: unknown): JobRun =>
  ({
    id: `job_${crypto.randomUUID()}`,
    type,
    payload,
    attempt: 1,
    maxAttempts: 5,
    scheduledFor: new Date().toISOString(),
  }) as JobRun;

async function resetMail(to = `v${crypto.randomUUID().slice(0, 8)}@example.com`) {
  const [d] = await queuedDeliveries({
    to,
    template: 'identity.reset-password',
    category: 'security',
    data: { url: 'https://app.example/reset-password?token=SECRET-TOKEN' },
  });
  if (!d) throw new Error('no delivery');
  return d.id;
}

async function unverifiedUser() {
  const id = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  await env.IDENTITY_DB.prepare('INSERT INTO users (id, email, email_verified_at) VALUES (?, ?, NULL)')
    .bind(id, `${id}@example.com`)
    .run();
  return { id };
}

describe('security deliveries', () => {
  it('erases the body and data of a security delivery at every final state', async () => {
    const erased = { subject: null, bodyText: null, bodyHtml: null, data: null };
    const failed = await resetMail();
    await deliver(env, failed, {
      providers: () => ({ primary: provider({ ok: false, permanent: true, error: '422' }) }),
    });
    expect(await storedDelivery(failed)).toMatchObject({ status: 'failed', ...erased });

    const sent = await resetMail();
    await deliver(env, sent, { providers: () => ({ primary: provider({ ok: true, providerMessageId: 'em_1' }) }) });
    expect(await storedDelivery(sent)).toMatchObject({ status: 'sent', ...erased });

    const dead = await resetMail();
    const batch = createMessageBatch('onasis-notifications-dlq', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: { kind: 'delivery', deliveryId: dead } },
    ]);
    await consumeNotifications(batch, env);
    expect(await storedDelivery(dead)).toMatchObject({ status: 'failed', ...erased });

    // A product message that failed keeps its body for inspection: only security content is erased on failure.
    const template = `test.p${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({ key: template, channels: ['email'], category: 'product', subject: 'S', text: 'T {{x}}' });
    const [product] = await queuedDeliveries({ to: 'p@example.com', template, data: { x: 'kept' } });
    await deliver(env, product?.id ?? '', {
      providers: () => ({ primary: provider({ ok: false, permanent: true, error: '422' }) }),
    });
    expect(await storedDelivery(product?.id ?? '')).toMatchObject({ status: 'failed', bodyText: 'T kept' });
  });

  it('keeps what the local sandbox caught and shows it only in local, once caught', async () => {
    const id = await resetMail();
    const queued = await storedDelivery(id);
    if (!queued) throw new Error('no row');
    // Still queued: hidden everywhere, although stored for the consumer.
    expect(deliveryView(queued, 'local').bodyText).toBeNull();
    await deliver(env, id, {
      providers: () => ({ primary: provider({ ok: true, providerMessageId: 'sbx_1' }, 'sandbox') }),
    });
    const caught = await storedDelivery(id);
    if (!caught) throw new Error('no row');
    expect(caught.bodyText).toContain('SECRET-TOKEN');
    expect(deliveryView(caught, 'local').bodyText).toContain('SECRET-TOKEN');
    expect(deliveryView(caught, 'production')).toMatchObject({ subject: null, bodyText: null, bodyHtml: null });
    const listed = await call(`/api/v1/notifications/deliveries/${id}`, {}, admin);
    expect(((await listed.json()) as { bodyText: string }).bodyText).toContain('SECRET-TOKEN');
  });

  it('fails a delivery with a clear reason outside local when its channel has no provider', async () => {
    const id = await resetMail();
    await deliver({ ...env, ENVIRONMENT: 'production' }, id);
    expect(await storedDelivery(id)).toMatchObject({
      status: 'failed',
      provider: 'unconfigured',
      error: expect.stringContaining('RESEND_API_KEY'),
      bodyText: null,
    });
  });

  it('logs ids only for a dead-lettered notification request, never its body', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const batch = createMessageBatch('onasis-notifications-dlq', [
      {
        id: 'd2',
        timestamp: new Date(),
        attempts: 6,
        body: {
          kind: 'notification',
          idempotencyKey: 'reset:abc',
          to: 'usr_x',
          template: 'identity.reset-password',
          category: 'security',
          data: { url: 'https://app.example/reset-password?token=LEAKED-TOKEN' },
          createdAt: new Date().toISOString(),
        },
      },
    ]);
    await consumeNotifications(batch, env);
    const logged = spy.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('reset:abc');
    expect(logged).not.toContain('LEAKED-TOKEN');
  });
});

describe('stranded deliveries', () => {
  it('re-enqueues on a replay what a failed queue send left behind, and only that', async () => {
    const template = `test.r${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({ key: template, channels: ['email'], category: 'product', subject: 'S', text: 'T' });
    const req = { to: 'replay@example.com', template, data: {}, idempotencyKey: crypto.randomUUID() };
    const broken = { sendBatch: async () => Promise.reject(new Error('queue unavailable')) };
    await expect(sendNotification(env, req, broken)).rejects.toThrow('queue unavailable');
    const stored = await env.DB.prepare('SELECT * FROM deliveries WHERE request_key = ?')
      .bind(req.idempotencyKey)
      .first<{ id: string; status: string; enqueued_at: string | null }>();
    expect(stored).toMatchObject({ status: 'queued', enqueued_at: null });

    const queue = recordingQueue();
    const replay = await sendNotification(env, req, queue);
    expect(replay).toMatchObject({ ok: true, data: { enqueued: 0, deliveries: [{ id: stored?.id }] } });
    expect(queue.sent).toEqual([{ kind: 'delivery', deliveryId: stored?.id }]);
    expect((await storedDelivery(stored?.id ?? ''))?.enqueuedAt).not.toBeNull();
    const again = recordingQueue();
    await sendNotification(env, req, again);
    expect(again.sent).toEqual([]);
  });

  it('chunks a send batch to 100 messages and 256 KB', async () => {
    const batches: number[] = [];
    const queue = { sendBatch: async (m: Iterable<unknown>) => void batches.push([...m].length) };
    const small = Array.from({ length: 250 }, (_, i) => ({ body: { i } }));
    await sendInBatches(queue, small);
    expect(batches).toEqual([MAX_BATCH_MESSAGES, MAX_BATCH_MESSAGES, 50]);
    batches.length = 0;
    const big = Array.from({ length: 5 }, () => ({ body: { pad: 'x'.repeat(100_000) } }));
    await sendInBatches(queue, big);
    expect(batches).toEqual([2, 2, 1]);
  });

  it('drains every stranded delivery in one maintenance run, page after page', async () => {
    const template = `test.s${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({ key: template, channels: ['email'], category: 'product', subject: 'S', text: 'T' });
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    const marker = `drain-${crypto.randomUUID().slice(0, 8)}`;
    // Half of them lost the message of a retry whose time has long passed (`lease_until` in the past).
    const statements = Array.from({ length: 250 }, (_, i) =>
      env.DB.prepare(
        `INSERT INTO deliveries (id, idempotency_key, request_key, recipient, address, channel, template, category, status,
           subject, body_text, created_at, updated_at, lease_until, enqueued_at)
         VALUES (?, ?, ?, 'stranded@example.com', 'stranded@example.com', 'email', ?, 'product', 'queued', 'S', 'T', ?, ?, ?, ?)`,
      ).bind(
        `dlv_${marker}_${i}`,
        `${marker}:${i}:email`,
        `${marker}:${i}`,
        template,
        longAgo,
        longAgo,
        i % 2 === 0 ? longAgo : null,
        i % 2 === 0 ? longAgo : null,
      ),
    );
    await env.DB.batch(statements);
    const sent: number[] = [];
    const ids: string[] = [];
    const queue = {
      sendBatch: async (m: Iterable<{ body: { deliveryId: string } }>) => {
        const batch = [...m];
        sent.push(batch.length);
        ids.push(...batch.map((x) => x.body.deliveryId));
      },
    };
    const result = await runMaintenance({ ...env, NOTIFICATIONS_QUEUE: queue as unknown as Queue });
    expect(result.requeued).toBeGreaterThanOrEqual(250);
    // Each stranded row once: a re-queued row is not taken again by the next page.
    expect(new Set(ids).size).toBe(ids.length);
    expect(result.pages).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sent)).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);
    const left = await env.DB.prepare(
      'SELECT count(*) AS n FROM deliveries WHERE id LIKE ? AND (enqueued_at IS NULL OR enqueued_at = lease_until)',
    )
      .bind(`dlv_${marker}_%`)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

describe('devices', () => {
  it('refuses push targets and phone numbers until the email address is verified', async () => {
    const user = await unverifiedUser();
    const me = principalOf(user.id);
    const push = await call('/api/v1/notifications/push-targets', { json: { kind: 'fcm', token: 't' } }, me);
    expect(push.status).toBe(403);
    expect(await push.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
    const phone = await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone: '+14155550190' } }, me);
    expect(phone.status).toBe(403);
    expect(await phone.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
    const rows = await env.DB.batch([
      env.DB.prepare('SELECT count(*) AS n FROM push_targets WHERE user_id = ?').bind(user.id),
      env.DB.prepare('SELECT count(*) AS n FROM phone_numbers WHERE user_id = ?').bind(user.id),
    ]);
    expect(rows.map((r) => (r.results[0] as { n: number }).n)).toEqual([0, 0]);
  });

  it('caps push targets at 20 per user (409), while a held target can still be registered again', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    const register = (token: string) =>
      call('/api/v1/notifications/push-targets', { json: { kind: 'fcm', token } }, me);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => register(`tok-${i}`)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const over = await register('tok-20');
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({ code: 'CONFLICT' });
    expect((await register('tok-3')).status).toBe(201);
    const count = await env.DB.prepare('SELECT count(*) AS n FROM push_targets WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(20);
  });

  it('resets a claimed account’s devices: push targets, phone, pending code and queued SMS/push', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    await call('/api/v1/notifications/push-targets', { json: { kind: 'fcm', token: `t-${user.id}` } }, me);
    await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone: '+14155550191' } }, me);
    await env.DB.prepare("UPDATE phone_numbers SET verified_at = '2026-01-01T00:00:00.000Z' WHERE user_id = ?")
      .bind(user.id)
      .run();
    const deliveries = await queuedDeliveries({
      to: user.id,
      template: 'identity.new-sign-in',
      channels: ['email', 'sms', 'push', 'inapp'],
      data: {},
    });
    expect(deliveries.map((d) => d.channel).sort()).toEqual(['email', 'inapp', 'push', 'sms']);

    const outcome = await exports.NotificationsService.runJob(
      jobRun('notifications.reset-devices', { userId: user.id }),
    );
    expect(outcome).toMatchObject({ ok: true, data: { pushTargets: 1, phoneNumbers: 1, pendingDeliveries: 2 } });
    const push = deliveries.find((d) => d.channel === 'push');
    expect(await storedDelivery(push?.id ?? '')).toMatchObject({ status: 'failed', bodyText: null });
    const email = deliveries.find((d) => d.channel === 'email');
    expect(await storedDelivery(email?.id ?? '')).toMatchObject({ status: 'queued' });
    expect((await call('/api/v1/notifications/phone', {}, me)).status).toBe(404);
    expect(await (await call('/api/v1/notifications/push-targets', {}, me)).json()).toEqual({ data: [] });
    // Repeating it finds nothing more.
    expect(
      await exports.NotificationsService.runJob(jobRun('notifications.reset-devices', { userId: user.id })),
    ).toMatchObject({ ok: true, data: { pushTargets: 0, phoneNumbers: 0, pendingDeliveries: 0 } });
  });
});

describe('SMS abuse', () => {
  it('reads the allow-list as calling-code prefixes, `*` for any, nothing when empty', () => {
    expect(smsAllowed('+14155550100', '1,44')).toBe(true);
    expect(smsAllowed('+447700900000', ' +44 ')).toBe(true);
    expect(smsAllowed('+37120000000', '1,44')).toBe(false);
    expect(smsAllowed('+18765550100', '1')).toBe(true);
    expect(smsAllowed('+18765550100', '1416')).toBe(false);
    expect(smsAllowed('+37120000000', '*')).toBe(true);
    expect(smsAllowed('+14155550100', '')).toBe(false);
    expect(smsAllowed('+14155550100', undefined)).toBe(false);
  });

  it('refuses a number outside SMS_ALLOWED_COUNTRIES with a 400 naming the field', async () => {
    const user = await createUser();
    const res = await call(
      '/api/v1/notifications/phone',
      { method: 'PUT', json: { phone: '+37120000000' } },
      principalOf(user.id),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'phone' }] });
  });

  it('holds a send route text to a bare number to the same allow-list', async () => {
    const template = `test.sms${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({ key: template, channels: ['sms'], category: 'product', subject: 'S', text: 'T' });
    const send = (to: string) =>
      call('/api/v1/notifications/send', { json: { to, template, idempotencyKey: crypto.randomUUID() } }, admin);
    const refused = await send('+37120000000');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'to' }] });
    expect((await send('+14155550194')).status).toBe(202);
  });

  it('texts one number at most once a minute across accounts, and removing a number does not reset the limit', async () => {
    const phone = '+14155550192';
    const a = principalOf((await createUser()).id);
    const b = principalOf((await createUser()).id);
    const put = (who: typeof a, number = phone) =>
      call('/api/v1/notifications/phone', { method: 'PUT', json: { phone: number } }, who);
    expect((await put(a)).status).toBe(202);
    const other = await put(b);
    expect(other.status).toBe(429);
    expect(Number(other.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('/api/v1/notifications/phone', { method: 'DELETE' }, a)).status).toBe(204);
    expect((await put(a)).status).toBe(429);
    // B's refused attempt did not take B's own slot: B may text another number at once.
    expect((await put(b, '+14155550193')).status).toBe(202);
    const texts = await env.DB.prepare(
      "SELECT count(*) AS n FROM deliveries WHERE template = 'notifications.verify-phone' AND address = ?",
    )
      .bind(phone)
      .first<{ n: number }>();
    expect(texts?.n).toBe(1);
  });
});
