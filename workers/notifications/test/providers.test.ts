import { env } from 'cloudflare:workers';
import { providerNamespace, TEST_CREDENTIALS, TWILIO_INVALID_NUMBER } from '@onasis/testing/provider-server/client';
import { describe, expect, it } from 'vitest';
import { resendProvider } from '../src/providers/resend.js';
import { slackProvider } from '../src/providers/slack.js';
import { twilioProvider } from '../src/providers/twilio.js';
import type { OutgoingEmail } from '../src/providers/types.js';

const server = () => providerNamespace(env.TEST_PROVIDER_SERVER_URL);

const email = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  channel: 'email',
  to: 'ada@example.com',
  from: 'Onasis <no-reply@onasis.test>',
  subject: 'Verify your email',
  text: 'Open https://app.test/verify?t=1',
  html: '<p>Open <a href="https://app.test/verify?t=1">this link</a></p>',
  headers: { 'List-Unsubscribe': '<https://app.test/u/1>' },
  tags: { template: 'identity.verify-email' },
  idempotencyKey: `dlv_${crypto.randomUUID()}`,
  ...over,
});

describe('resend provider', () => {
  it('sends through the SDK with the idempotency key, and a retry returns the same id without a second email', async () => {
    const ns = server();
    const resend = resendProvider({ apiKey: TEST_CREDENTIALS.resendApiKey, baseUrl: ns.base });
    const message = email();
    const first = await resend.send(message);
    const retry = await resend.send(message);
    expect(first).toEqual({ ok: true, providerMessageId: expect.any(String) });
    expect(retry).toEqual(first);
    const [request] = await ns.received('resend');
    expect(request?.headers.authorization).toBe(`Bearer ${TEST_CREDENTIALS.resendApiKey}`);
    expect(request?.headers['idempotency-key']).toBe(message.idempotencyKey);
    expect(request?.body).toMatchObject({
      from: message.from,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      headers: message.headers,
      tags: [{ name: 'template', value: 'identity.verify-email' }],
    });
    expect(resend.ratePerSecond).toBe(2);
  });

  it('maps 5xx and 429 to retryable (with Retry-After) and a 422 to permanent with Resend’s reason', async () => {
    const ns = server();
    const resend = resendProvider({ apiKey: TEST_CREDENTIALS.resendApiKey, baseUrl: ns.base });
    await ns.script('resend', [
      { status: 500, body: { statusCode: 500, name: 'internal_server_error', message: 'Unexpected error' } },
      {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' },
      },
    ]);
    expect(await resend.send(email())).toMatchObject({
      ok: false,
      permanent: false,
      error: expect.stringContaining('resend 500'),
    });
    expect(await resend.send(email())).toMatchObject({ ok: false, permanent: false, retryAfterSeconds: 7 });
    expect(await resend.send(email({ to: 'not-an-address' }))).toEqual({
      ok: false,
      permanent: true,
      error: expect.stringMatching(/^resend 422 validation_error: Invalid `to` field/),
    });
  });

  it('treats a wrong API key as permanent and an unreachable server as retryable', async () => {
    const ns = server();
    const wrongKey = await resendProvider({ apiKey: 're_wrong', baseUrl: ns.base }).send(email());
    expect(wrongKey).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('invalid_api_key') });
    const down = await resendProvider({ apiKey: 're_x', baseUrl: 'http://127.0.0.1:9' }).send(email());
    expect(down).toMatchObject({ ok: false, permanent: false });
  });

  it('gives up on a provider that does not answer, as a retryable failure', async () => {
    const ns = server();
    await ns.script('resend', [{ status: 200, body: { id: 'too-late' }, delayMs: 3000 }]);
    const started = Date.now();
    const hung = await resendProvider({ apiKey: TEST_CREDENTIALS.resendApiKey, baseUrl: ns.base, timeoutMs: 200 }).send(
      email(),
    );
    expect(hung).toMatchObject({ ok: false, permanent: false, error: expect.stringContaining('resend network error') });
    expect(Date.now() - started).toBeLessThan(2500);
    await ns.script('slack', [{ status: 200, body: 'ok', delayMs: 3000 }]);
    const slack = slackProvider({ webhookUrl: `${ns.base}/services/T0/B0/hung`, timeoutMs: 200 });
    const chat = await slack.send({ channel: 'chat', text: 'hi', idempotencyKey: 'k' });
    expect(chat).toMatchObject({ ok: false, permanent: false, error: expect.stringContaining('slack network error') });
  });

  it('refuses a message of another channel without calling Resend', async () => {
    const ns = server();
    const resend = resendProvider({ apiKey: TEST_CREDENTIALS.resendApiKey, baseUrl: ns.base });
    const outcome = await resend.send({ channel: 'sms', to: '+14155550100', body: 'x', idempotencyKey: 'k' });
    expect(outcome).toEqual({ ok: false, permanent: true, error: 'resend cannot send sms messages' });
    expect(await ns.received('resend')).toEqual([]);
  });
});

describe('twilio provider', () => {
  const sms = (to: string) => ({ channel: 'sms' as const, to, body: 'Your code is 123456', idempotencyKey: 'k' });

  it('posts the form fields with Basic auth and keeps the message sid', async () => {
    const ns = server();
    const twilio = twilioProvider({ ...TEST_CREDENTIALS.twilio, from: '+15005550006', baseUrl: ns.base });
    const outcome = await twilio.send(sms('+14155550100'));
    expect(outcome).toEqual({ ok: true, providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    const [request] = await ns.received('twilio');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${TEST_CREDENTIALS.twilio.accountSid}/Messages.json`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.body).toEqual({ To: '+14155550100', From: '+15005550006', Body: 'Your code is 123456' });
    const { accountSid, authToken } = TEST_CREDENTIALS.twilio;
    expect(request?.headers.authorization).toBe(`Basic ${btoa(`${accountSid}:${authToken}`)}`);
  });

  it('uses the messaging service when configured, and reports Twilio’s error code for an invalid number', async () => {
    const ns = server();
    const twilio = twilioProvider({ ...TEST_CREDENTIALS.twilio, messagingServiceSid: 'MG1', baseUrl: ns.base });
    const outcome = await twilio.send(sms(TWILIO_INVALID_NUMBER));
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      error: `twilio 400 21211: The 'To' number ${TWILIO_INVALID_NUMBER} is not a valid phone number.`,
    });
    const [request] = await ns.received('twilio');
    expect(request?.body).toMatchObject({ MessagingServiceSid: 'MG1' });
  });

  it('fails permanently on wrong credentials and retries a 503', async () => {
    const ns = server();
    const wrong = twilioProvider({
      ...TEST_CREDENTIALS.twilio,
      authToken: 'nope',
      from: '+15005550006',
      baseUrl: ns.base,
    });
    expect(await wrong.send(sms('+14155550100'))).toMatchObject({
      ok: false,
      permanent: true,
      error: 'twilio 401 20003: Authenticate',
    });
    await ns.script('twilio', [{ status: 503, headers: { 'retry-after': '30' }, body: 'Service Unavailable' }]);
    const right = twilioProvider({ ...TEST_CREDENTIALS.twilio, from: '+15005550006', baseUrl: ns.base });
    expect(await right.send(sms('+14155550100'))).toMatchObject({ ok: false, permanent: false, retryAfterSeconds: 30 });
  });
});

describe('slack provider', () => {
  const chat = { channel: 'chat' as const, text: 'Deploy finished', idempotencyKey: 'k' };

  it('posts JSON text to the webhook and accepts Slack’s `ok`', async () => {
    const ns = server();
    const slack = slackProvider({ webhookUrl: `${ns.base}/services/T000/B000/secret` });
    expect(await slack.send(chat)).toEqual({ ok: true, providerMessageId: null });
    const [request] = await ns.received('slack');
    expect(request?.body).toEqual({ text: 'Deploy finished' });
    expect(request?.response).toBe('ok');
    expect(slack.ratePerSecond).toBe(1);
  });

  it('honours a 429’s Retry-After and fails permanently on Slack’s 4xx codes', async () => {
    const ns = server();
    const slack = slackProvider({ webhookUrl: `${ns.base}/services/T000/B000/secret` });
    await ns.script('slack', [
      { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' },
      { status: 404, body: 'no_service' },
    ]);
    expect(await slack.send(chat)).toEqual({
      ok: false,
      permanent: false,
      retryAfterSeconds: 2,
      error: 'slack 429 rate_limited',
    });
    expect(await slack.send(chat)).toEqual({ ok: false, permanent: true, error: 'slack 404 no_service' });
  });
});
