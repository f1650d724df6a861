import { env } from 'cloudflare:workers';
import { providerNamespace, TEST_CREDENTIALS } from '@onasis/testing/provider-server/client';
import { describe, expect, it } from 'vitest';
import type { ProviderEnv } from '../src/providers/config.js';
import { providerProblems, providersCheck, providersFor } from '../src/providers/index.js';

import type { PushTarget } from '../src/providers/types.js';

const WEBPUSH: PushTarget = { kind: 'webpush', endpoint: 'https://push.example/x', keys: { p256dh: 'p', auth: 'a' } };

/** The environment where the sandbox may stand in for a provider. */
const LOCAL: ProviderEnv = { ENVIRONMENT: 'local' };

const names = (p: ReturnType<typeof providersFor>) => [p.primary.name, p.fallback?.name];

describe('providersFor', () => {
  it('gives every channel the sandbox when no credentials are configured', () => {
    const bare: ProviderEnv = LOCAL;
    for (const channel of ['email', 'sms', 'chat', 'inapp'] as const) {
      expect(names(providersFor(channel, bare))).toEqual(['sandbox', undefined]);
    }
    expect(names(providersFor('push', bare, { kind: 'fcm', token: 't' }))).toEqual(['sandbox', undefined]);
    expect(names(providersFor('push', bare, WEBPUSH))).toEqual(['sandbox', undefined]);
    expect(providerProblems(bare)).toEqual([]);
  });

  it('picks the default provider of each channel whose credentials are present', () => {
    const configured: ProviderEnv = {
      ...LOCAL,
      RESEND_API_KEY: 're_x',
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '+15005550006',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      VAPID_PUBLIC_KEY: 'pub',
      VAPID_PRIVATE_KEY: 'priv',
      VAPID_SUBJECT: 'mailto:ops@onasis.test',
    };
    expect(providersFor('email', configured).primary).toMatchObject({ name: 'resend', ratePerSecond: 2 });
    expect(providersFor('sms', configured).primary.name).toBe('twilio');
    expect(providersFor('chat', configured).primary).toMatchObject({ name: 'slack', ratePerSecond: 1 });
    expect(providersFor('push', configured, WEBPUSH).primary.name).toBe('webpush');
    // No service account: FCM targets stay in the sandbox even though Web Push is configured.
    expect(providersFor('push', configured, { kind: 'fcm', token: 't' }).primary.name).toBe('sandbox');
  });

  it('applies NOTIFICATION_PROVIDERS: a fallback, a forced sandbox, and a rate override', () => {
    const configured: ProviderEnv = {
      ...LOCAL,
      NOTIFICATION_PROVIDERS: JSON.stringify({
        email: { primary: 'resend', fallback: 'sandbox' },
        chat: { primary: 'sandbox' },
      }),
      RESEND_API_KEY: 're_x',
      RESEND_RATE_PER_SECOND: '5',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
    };
    const email = providersFor('email', configured);
    expect(names(email)).toEqual(['resend', 'sandbox']);
    expect(email.primary.ratePerSecond).toBe(5);
    expect(names(providersFor('chat', configured))).toEqual(['sandbox', undefined]);
  });

  it('leaves out a fallback without credentials instead of making it a second sandbox', () => {
    const configured: ProviderEnv = {
      ...LOCAL,
      NOTIFICATION_PROVIDERS: JSON.stringify({ email: { primary: 'sandbox', fallback: 'resend' } }),
    };
    expect(names(providersFor('email', configured))).toEqual(['sandbox', undefined]);
  });

  it('reports an invalid configuration and keeps the defaults instead of failing', async () => {
    const broken: ProviderEnv = {
      ...LOCAL,
      NOTIFICATION_PROVIDERS: '{"email": {"primary": "mailgun"}}',
      RESEND_API_KEY: 're_x',
      FCM_SERVICE_ACCOUNT: '{"not": "a key"}',
      SLACK_RATE_PER_SECOND: 'fast',
    };
    expect(providersFor('email', broken).primary.name).toBe('resend');
    expect(providersFor('push', broken, { kind: 'fcm', token: 't' }).primary.name).toBe('sandbox');
    const problems = providerProblems(broken);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^NOTIFICATION_PROVIDERS is not valid \(email\.primary: /);
    expect(problems.join(' ')).toContain('FCM_SERVICE_ACCOUNT');
    expect(problems.join(' ')).toContain('SLACK_RATE_PER_SECOND');
    expect(providerProblems({ ...LOCAL, NOTIFICATION_PROVIDERS: 'not json' })).toEqual([
      'NOTIFICATION_PROVIDERS is not valid (not JSON); the defaults apply',
    ]);
    await expect(providersCheck(broken)()).rejects.toThrow('NOTIFICATION_PROVIDERS');
    await expect(providersCheck(LOCAL)()).resolves.toBeUndefined();
  });

  it('allows the sandbox only in local: elsewhere a channel without credentials fails its sends and health', async () => {
    for (const ENVIRONMENT of ['production', 'staging', undefined]) {
      const deployed: ProviderEnv = {
        ENVIRONMENT,
        RESEND_API_KEY: 're_x',
        NOTIFICATION_PROVIDERS: JSON.stringify({
          email: { primary: 'resend', fallback: 'sandbox' },
          chat: { primary: 'sandbox' },
        }),
      };
      expect(names(providersFor('email', deployed))).toEqual(['resend', undefined]);
      const sms = providersFor('sms', deployed).primary;
      expect(sms.name).toBe('unconfigured');
      const outcome = await sms.send({ channel: 'sms', to: '+14155550100', body: 'x', idempotencyKey: 'dlv_x' });
      expect(outcome).toMatchObject({
        ok: false,
        permanent: true,
        error: expect.stringContaining('TWILIO_ACCOUNT_SID'),
      });
      expect(providersFor('chat', deployed).primary.name).toBe('unconfigured');
      const problems = providerProblems(deployed);
      expect(problems).toEqual([
        expect.stringMatching(/^sms has no provider: twilio needs TWILIO_ACCOUNT_SID/),
        expect.stringMatching(/^push to fcm targets has no provider: fcm needs FCM_SERVICE_ACCOUNT/),
        expect.stringMatching(/^push to webpush targets has no provider: webpush needs VAPID_PUBLIC_KEY/),
        expect.stringMatching(/^chat has no provider: sandbox needs a real provider/),
      ]);
      await expect(providersCheck(deployed)()).rejects.toThrow('sms has no provider');
    }
  });

  it('builds providers once per env and reuses them', () => {
    const configured: ProviderEnv = { RESEND_API_KEY: 're_x' };
    expect(providersFor('email', configured)).toBe(providersFor('email', configured));
    expect(providersFor('email', { RESEND_API_KEY: 're_x' })).not.toBe(providersFor('email', configured));
  });

  it('points the configured Resend provider at RESEND_BASE_URL', async () => {
    const ns = providerNamespace(env.TEST_PROVIDER_SERVER_URL);
    const configured: ProviderEnv = { RESEND_API_KEY: TEST_CREDENTIALS.resendApiKey, RESEND_BASE_URL: ns.base };
    const outcome = await providersFor('email', configured).primary.send({
      channel: 'email',
      to: 'ada@example.com',
      from: 'no-reply@onasis.test',
      subject: 'Hi',
      text: 'Hi',
      html: '<p>Hi</p>',
      idempotencyKey: 'dlv_config_test',
    });
    expect(outcome.ok).toBe(true);
    expect(await ns.received('resend')).toHaveLength(1);
  });
});
