import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { providerNamespace, TEST_CREDENTIALS } from '@onasis/testing/provider-server/client';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, Provider, SendOutcome } from '../src/providers/types.js';
import { consumeNotifications } from '../src/queue.js';
import { type DeliverDeps, deliver } from '../src/services/deliver.js';
import { call, createUser, principalOf, queuedDeliveries } from './helpers.js';
import { storedDelivery } from './stored-delivery.js';

/** A provider answering each send with the next of `outcomes` (the last repeats), recording what it was given. */
function scripted(outcomes: SendOutcome[], extra: Partial<Provider> = {}) {
  const received: OutgoingMessage[] = [];
  const provider: Provider = {
    name: 'scripted',
    channel: 'email',
    ...extra,
    async send(m) {
      received.push(m);
      return outcomes[Math.min(received.length - 1, outcomes.length - 1)] ?? { ok: true, providerMessageId: null };
    },
  };
  return { provider, received };
}

const via = (primary: Provider, fallback?: Provider): DeliverDeps => ({
  providers: () => ({ primary, ...(fallback ? { fallback } : {}) }),
});

async function emailDelivery() {
  const [d] = await queuedDeliveries({
    to: `u${crypto.randomUUID().slice(0, 6)}@example.com`,
    template: 'identity.mfa-changed',
    data: { change: 'enabled' },
  });
  if (!d) throw new Error('no delivery');
  return d.id;
}

async function consume(deliveryId: string, deps: DeliverDeps, attempts = 1) {
  const batch = createMessageBatch('onasis-notifications', [
    { id: 'm0', timestamp: new Date(), attempts, body: { kind: 'delivery', deliveryId } },
  ]);
  await consumeNotifications(batch, env, deps);
  return getQueueResult(batch, createExecutionContext());
}

describe('delivery', () => {
  it('sends a delivery once however often its message arrives', async () => {
    const id = await emailDelivery();
    const { provider, received } = scripted([{ ok: true, providerMessageId: 'pm_1' }]);
    expect(await deliver(env, id, via(provider))).toEqual({ action: 'ack' });
    expect(await deliver(env, id, via(provider))).toEqual({ action: 'ack' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      channel: 'email',
      subject: 'Your two-factor authentication changed',
      idempotencyKey: id,
    });
    // A real provider took it: the one-time content is gone from the log.
    expect(await storedDelivery(id)).toMatchObject({
      status: 'sent',
      provider: 'scripted',
      providerMessageId: 'pm_1',
      bodyText: null,
      bodyHtml: null,
      attempts: 1,
    });
  });

  it('retries a retryable failure with growing jittered delays, queued in between', async () => {
    const id = await emailDelivery();
    const { provider } = scripted([{ ok: false, permanent: false, error: '503 from provider' }]);
    // Through the consumer: the message is retried, not acked (the test batch does not record the delay itself).
    const first = await consume(id, via(provider));
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(['m0']);
    expect(await storedDelivery(id)).toMatchObject({ status: 'queued', error: '503 from provider', attempts: 1 });
    const delays: number[] = [];
    for (let attempt = 2; attempt <= 4; attempt++) {
      const result = await deliver(env, id, via(provider));
      delays.push(result.action === 'retry' ? result.delaySeconds : 0);
      expect(await storedDelivery(id)).toMatchObject({
        status: 'queued',
        error: '503 from provider',
        attempts: attempt,
      });
    }
    // Equal jitter: attempt n waits between half and all of 10 s · 2^(n-1), and never less than the attempt before.
    delays.forEach((delay, i) => {
      const full = 10 * 2 ** (i + 1);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    });
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0] ?? 0);
    expect(delays[2]).toBeGreaterThanOrEqual(delays[1] ?? 0);
  });

  it('waits as long as the provider asked', async () => {
    const id = await emailDelivery();
    const { provider } = scripted([{ ok: false, permanent: false, error: '429', retryAfterSeconds: 42 }]);
    expect(await deliver(env, id, via(provider))).toEqual({ action: 'retry', delaySeconds: 42 });
  });

  it('fails a permanent failure with the provider’s reason', async () => {
    const id = await emailDelivery();
    const { provider } = scripted([{ ok: false, permanent: true, error: '422: invalid recipient' }]);
    expect((await consume(id, via(provider))).explicitAcks).toEqual(['m0']);
    expect(await storedDelivery(id)).toMatchObject({
      status: 'failed',
      error: '422: invalid recipient',
      provider: 'scripted',
    });
  });

  it('uses the fallback provider when the primary fails', async () => {
    const id = await emailDelivery();
    const primary = scripted([{ ok: false, permanent: false, error: 'down' }]);
    const fallback = scripted([{ ok: true, providerMessageId: 'fb_1' }], { name: 'backup' });
    expect(await deliver(env, id, via(primary.provider, fallback.provider))).toEqual({ action: 'ack' });
    expect(await storedDelivery(id)).toMatchObject({ status: 'sent', provider: 'backup', providerMessageId: 'fb_1' });
  });

  it('keeps a refusal instead of handing it to the fallback', async () => {
    const id = await emailDelivery();
    const primary = scripted([{ ok: false, permanent: true, error: 'resend 422 validation_error: Invalid `to`' }]);
    const fallback = scripted([{ ok: true, providerMessageId: 'fb_2' }], { name: 'backup' });
    expect(await deliver(env, id, via(primary.provider, fallback.provider))).toEqual({ action: 'ack' });
    expect(await storedDelivery(id)).toMatchObject({ status: 'failed', error: expect.stringContaining('422') });
    expect(fallback.received).toHaveLength(0);
  });

  it('forgets a push target the provider says is gone', async () => {
    const user = await createUser();
    const reg = await call(
      '/api/v1/notifications/push-targets',
      { json: { kind: 'fcm', token: 'tok-gone' } },
      principalOf(user.id),
    );
    const target = (await reg.json()) as { id: string };
    const deliveries = await queuedDeliveries({ to: user.id, template: 'identity.new-sign-in', data: {} });
    const push = deliveries.find((d) => d.channel === 'push');
    if (!push) throw new Error('no push delivery');
    const { provider, received } = scripted([{ ok: false, permanent: true, error: 'UNREGISTERED', gone: true }], {
      channel: 'push',
    });
    await deliver(env, push.id, via(provider));
    expect(received[0]).toMatchObject({ channel: 'push', target: { kind: 'fcm', token: 'tok-gone' } });
    expect(await storedDelivery(push.id)).toMatchObject({ status: 'failed', error: 'UNREGISTERED' });
    const list = await call('/api/v1/notifications/push-targets', {}, principalOf(user.id));
    expect(((await list.json()) as { data: { id: string }[] }).data.map((t) => t.id)).not.toContain(target.id);
  });

  it('retries a delivery whose claim another attempt still holds, and takes over an expired claim', async () => {
    const id = await emailDelivery();
    const { provider, received } = scripted([{ ok: true, providerMessageId: 'pm' }]);
    const future = new Date(Date.now() + 60_000).toISOString();
    await env.DB.prepare("UPDATE deliveries SET status = 'sending', lease_until = ? WHERE id = ?")
      .bind(future, id)
      .run();
    const busy = await deliver(env, id, via(provider));
    expect(busy).toMatchObject({ action: 'retry' });
    expect(received).toHaveLength(0);
    const past = new Date(Date.now() - 1000).toISOString();
    await env.DB.prepare('UPDATE deliveries SET lease_until = ? WHERE id = ?').bind(past, id).run();
    expect(await deliver(env, id, via(provider))).toEqual({ action: 'ack' });
    expect(received).toHaveLength(1);
  });

  it('marks a dead-lettered delivery failed with its last error', async () => {
    const id = await emailDelivery();
    await env.DB.prepare("UPDATE deliveries SET attempts = 6, error = '503 from provider' WHERE id = ?").bind(id).run();
    const batch = createMessageBatch('onasis-notifications-dlq', [
      { id: 'd0', timestamp: new Date(), attempts: 1, body: { kind: 'delivery', deliveryId: id } },
    ]);
    await consumeNotifications(batch, env);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['d0']);
    expect(await storedDelivery(id)).toMatchObject({
      status: 'failed',
      error: 'dead-lettered after 6 attempts: 503 from provider',
    });
  });

  it('puts in-app messages in the inbox once', async () => {
    const user = await createUser();
    const deliveries = await queuedDeliveries({
      to: user.id,
      template: 'identity.mfa-changed',
      data: { change: 'enabled' },
    });
    const inapp = deliveries.find((d) => d.channel === 'inapp');
    if (!inapp) throw new Error('no in-app delivery');
    await deliver(env, inapp.id);
    await env.DB.prepare("UPDATE deliveries SET status = 'queued' WHERE id = ?").bind(inapp.id).run();
    await deliver(env, inapp.id);
    const count = await env.DB.prepare('SELECT count(*) AS n FROM inbox_items WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });
});

describe('pacing', () => {
  it('spaces reservations at 2/s at least 500 ms apart', async () => {
    const pacer = env.PROVIDER_PACER.get(env.PROVIDER_PACER.idFromName(`pace-${crypto.randomUUID()}`));
    const now = 1_000_000;
    const slots = [];
    for (let i = 0; i < 5; i++) slots.push(await pacer.reserve(2, 3000, now));
    expect(slots.every((s) => s.reserved)).toBe(true);
    for (let i = 1; i < slots.length; i++)
      expect((slots[i]?.at ?? 0) - (slots[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(500);
    const far = await pacer.reserve(2, 1000, now);
    expect(far).toMatchObject({ reserved: false });
    expect((await pacer.reserve(2, 3000, now + 2000)).at).toBe(now + 2500);
  });

  it('re-queues a delivery whose slot is far off without counting an attempt', async () => {
    const id = await emailDelivery();
    const name = `paced-${crypto.randomUUID()}`;
    const pacer = env.PROVIDER_PACER.get(env.PROVIDER_PACER.idFromName(name));
    const now = Date.now();
    for (let i = 0; i < 10; i++) await pacer.reserve(1, 60_000, now);
    const { provider, received } = scripted([{ ok: true, providerMessageId: 'x' }], { name, ratePerSecond: 1 });
    const result = await deliver(env, id, { ...via(provider), now: () => now });
    expect(result).toMatchObject({ action: 'defer' });
    expect(result.action === 'defer' && result.delaySeconds).toBeGreaterThanOrEqual(9);
    expect(received).toHaveLength(0);
    expect(await storedDelivery(id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('waits for a near slot, then sends', async () => {
    const id = await emailDelivery();
    const name = `near-${crypto.randomUUID()}`;
    const waits: number[] = [];
    const now = Date.now();
    await env.PROVIDER_PACER.get(env.PROVIDER_PACER.idFromName(name)).reserve(2, 3000, now);
    const { provider, received } = scripted([{ ok: true, providerMessageId: 'x' }], { name, ratePerSecond: 2 });
    await deliver(env, id, { ...via(provider), now: () => now, sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([500]);
    expect(received).toHaveLength(1);
  });
});

describe('delivery through the configured providers', () => {
  it('retries a Resend 5xx, fails a 4xx with Resend’s reason, and clears the body once Resend took it', async () => {
    const ns = providerNamespace(env.TEST_PROVIDER_SERVER_URL);
    // A fresh env object: providersFor builds its providers once per env.
    const withResend = { ...env, RESEND_API_KEY: TEST_CREDENTIALS.resendApiKey, RESEND_BASE_URL: ns.base };
    await ns.script('resend', [
      { status: 500, body: { statusCode: 500, name: 'internal_server_error', message: 'Unexpected error' } },
      { status: 422, body: { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' } },
    ]);
    const retried = await emailDelivery();
    expect(await deliver(withResend, retried)).toMatchObject({ action: 'retry' });
    expect(await storedDelivery(retried)).toMatchObject({
      status: 'queued',
      provider: 'resend',
      error: expect.stringContaining('resend 500'),
    });

    const failed = await emailDelivery();
    expect(await deliver(withResend, failed)).toEqual({ action: 'ack' });
    expect(await storedDelivery(failed)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('Invalid `to` field'),
    });

    expect(await deliver(withResend, retried)).toEqual({ action: 'ack' });
    const sent = await storedDelivery(retried);
    expect(sent).toMatchObject({ status: 'sent', provider: 'resend', bodyText: null, bodyHtml: null, subject: null });
    expect(sent?.providerMessageId).toEqual(expect.any(String));
  });
});
