import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { app } from '../src/app.js';

// Resend signs with Svix: a `whsec_` secret, base64 key material. Signed here with the Standard Webhooks library
// that Resend's SDK verifies with.
const SECRET = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;

const configured = { ...env, RESEND_WEBHOOK_SECRET: SECRET };

interface Signed {
  body: string;
  headers: Record<string, string>;
}

function sign(event: unknown, { at = new Date(), id = `msg_${crypto.randomUUID()}` } = {}): Signed {
  const body = JSON.stringify(event);
  const signature = new Webhook(SECRET).sign(id, at, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': signature,
    },
  };
}

function post({ body, headers }: Signed, bindings: object = configured): Promise<Response> {
  const request = new Request('http://notifications/webhooks/resend', { method: 'POST', body, headers });
  return Promise.resolve(app.fetch(request, bindings, createExecutionContext()));
}

const event = (type: string, emailId: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { email_id: emailId, from: 'no-reply@onasis.test', to: ['ada@example.com'], subject: 'Hi', ...extra },
});

async function insertDelivery(status: string): Promise<string> {
  const emailId = crypto.randomUUID();
  await env.DB.prepare(
    `INSERT INTO deliveries (id, idempotency_key, recipient, channel, template, status, provider, provider_message_id)
     VALUES (?, ?, 'ada@example.com', 'email', 'identity.verify-email', ?, 'resend', ?)`,
  )
    .bind(`dlv_${crypto.randomUUID().replaceAll('-', '')}`, crypto.randomUUID(), status, emailId)
    .run();
  return emailId;
}

const rowOf = (emailId: string) =>
  env.DB.prepare('SELECT status, error, updated_at FROM deliveries WHERE provider_message_id = ?')
    .bind(emailId)
    .first<{ status: string; error: string | null; updated_at: string | null }>();

describe('POST /webhooks/resend', () => {
  let emailId: string;
  beforeEach(async () => {
    emailId = await insertDelivery('sent');
  });

  it('marks a delivery delivered, then bounced with the bounce reason', async () => {
    const delivered = await post(sign(event('email.delivered', emailId)));
    expect(delivered.status).toBe(200);
    expect(await delivered.json()).toEqual({ received: true, updated: true });
    expect(await rowOf(emailId)).toMatchObject({ status: 'delivered', error: null, updated_at: expect.any(String) });
    const bounce = { bounce: { type: 'Permanent', subType: 'General', message: 'Mailbox does not exist' } };
    expect((await post(sign(event('email.bounced', emailId, bounce)))).status).toBe(200);
    expect(await rowOf(emailId)).toMatchObject({
      status: 'bounced',
      error: 'resend bounced: Permanent/General: Mailbox does not exist',
    });
  });

  it('never moves a row backwards: a late `delivered` or `sent` leaves a bounce as it is', async () => {
    await post(sign(event('email.bounced', emailId, { bounce: { message: 'No such user' } })));
    const before = await rowOf(emailId);
    for (const type of ['email.delivered', 'email.sent', 'email.delivery_delayed']) {
      const res = await post(sign(event(type, emailId)));
      expect(await res.json()).toEqual({ received: true, updated: false });
    }
    expect(await rowOf(emailId)).toEqual(before);
  });

  it('changes nothing for a replayed event (same svix-id)', async () => {
    const signed = sign(event('email.failed', emailId, { failed: { reason: 'reached_daily_quota' } }));
    expect(await (await post(signed)).json()).toEqual({ received: true, updated: true });
    const after = await rowOf(emailId);
    expect(after).toMatchObject({ status: 'failed', error: 'resend failed: reached_daily_quota' });
    expect(await (await post(signed)).json()).toEqual({ received: true, updated: false });
    expect(await rowOf(emailId)).toEqual(after);
  });

  it('notes a delay and a complaint without inventing states', async () => {
    await post(sign(event('email.delivery_delayed', emailId)));
    expect(await rowOf(emailId)).toMatchObject({ status: 'sent', error: expect.stringContaining('delayed') });
    await post(sign(event('email.delivered', emailId)));
    await post(sign(event('email.complained', emailId)));
    expect(await rowOf(emailId)).toMatchObject({ status: 'delivered', error: expect.stringContaining('spam') });
  });

  it('acknowledges an event about an unknown email and changes nothing', async () => {
    const res = await post(sign(event('email.delivered', crypto.randomUUID())));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, updated: false });
    expect(await rowOf(emailId)).toMatchObject({ status: 'sent' });
  });

  it('refuses a tampered body, a foreign signature, missing headers and a stale timestamp with 401', async () => {
    const good = sign(event('email.delivered', emailId));
    const tampered = { ...good, body: good.body.replace('"Hi"', '"Hello"') };
    const foreign = {
      ...good,
      headers: {
        ...good.headers,
        'svix-signature': new Webhook(`whsec_${btoa('another-secret-of-enough-len')}`).sign(
          good.headers['svix-id'] ?? '',
          new Date(),
          good.body,
        ),
      },
    };
    const unsigned = { body: good.body, headers: { 'content-type': 'application/json' } };
    const stale = sign(event('email.delivered', emailId), { at: new Date(Date.now() - 10 * 60_000) });
    for (const attempt of [tampered, foreign, unsigned, stale]) {
      const res = await post(attempt);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
    }
    expect(await rowOf(emailId)).toMatchObject({ status: 'sent', error: null, updated_at: null });
  });

  it('answers 404 while no webhook secret is configured, so that nobody can trip the breaker with it', async () => {
    const res = await post(sign(event('email.delivered', emailId)), { ...env, RESEND_WEBHOOK_SECRET: undefined });
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('NOT_FOUND');
    expect(await rowOf(emailId)).toMatchObject({ status: 'sent' });
  });

  it('answers 400 to a signed body that is not a Resend event', async () => {
    const res = await post(sign({ hello: 'world' }));
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('BAD_REQUEST');
  });
});
