import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sendNotification } from '../src/services/send.js';
import { signUnsubscribe } from '../src/services/unsubscribe-token.js';
import { call, createTemplate, createUser, principalOf, recordingQueue } from './helpers.js';

type Pref = { category: string; channel: string; enabled: boolean };
const prefsOf = async (userId: string) =>
  ((await (await call('/api/v1/notifications/preferences', {}, principalOf(userId))).json()) as { data: Pref[] }).data;
const enabled = (prefs: Pref[], category: string, channel: string) =>
  prefs.find((p) => p.category === category && p.channel === channel)?.enabled;

describe('preferences', () => {
  it('lists every category × channel with its effective value', async () => {
    const user = await createUser();
    const prefs = await prefsOf(user.id);
    expect(prefs).toHaveLength(4 * 5);
    expect(enabled(prefs, 'security', 'email')).toBe(true);
    expect(enabled(prefs, 'product', 'push')).toBe(true);
    expect(enabled(prefs, 'marketing', 'email')).toBe(false);
  });

  it('changes only the listed pairs', async () => {
    const user = await createUser();
    const res = await call(
      '/api/v1/notifications/preferences',
      {
        method: 'PUT',
        json: {
          preferences: [
            { category: 'marketing', channel: 'email', enabled: true },
            { category: 'billing', channel: 'sms', enabled: false },
          ],
        },
      },
      principalOf(user.id),
    );
    expect(res.status).toBe(200);
    const prefs = await prefsOf(user.id);
    expect([
      enabled(prefs, 'marketing', 'email'),
      enabled(prefs, 'billing', 'sms'),
      enabled(prefs, 'billing', 'email'),
    ]).toEqual([true, false, true]);
    expect(await prefsOf((await createUser()).id)).not.toEqual(prefs);
  });

  it('needs a signed-in caller', async () => {
    expect((await call('/api/v1/notifications/preferences')).status).toBe(401);
  });
});

describe('one-click unsubscribe', () => {
  async function marketingEmail() {
    const user = await createUser();
    await call(
      '/api/v1/notifications/preferences',
      { method: 'PUT', json: { preferences: [{ category: 'marketing', channel: 'email', enabled: true }] } },
      principalOf(user.id),
    );
    const key = `test.m${crypto.randomUUID().slice(0, 8)}`;
    await createTemplate({
      key,
      category: 'marketing',
      channels: ['email'],
      subject: 'News',
      text: 'Bye: {{unsubscribeUrl}}',
      html: '<a href="{{unsubscribeUrl}}">x</a>',
    });
    const r = await sendNotification(
      env,
      { to: user.id, template: key, data: {}, idempotencyKey: crypto.randomUUID() },
      recordingQueue(),
    );
    if (!r.ok || !r.data.deliveries[0]) throw new Error('not sent');
    const row = await env.DB.prepare('SELECT headers, body_text FROM deliveries WHERE id = ?')
      .bind(r.data.deliveries[0].id)
      .first<{ headers: string; body_text: string }>();
    return { user, headers: JSON.parse(row?.headers ?? '{}') as Record<string, string>, text: row?.body_text ?? '' };
  }

  it('carries RFC 8058 headers and a link that turns marketing email off on POST', async () => {
    const { user, headers, text } = await marketingEmail();
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/localhost:8787\/api\/v1\/notifications\/unsubscribe\?token=/);
    expect(text).toBe(`Bye: ${url}`);
    const path = new URL(url).pathname + new URL(url).search;

    const page = await call(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect(enabled(await prefsOf(user.id), 'marketing', 'email')).toBe(true);

    const post = await call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(enabled(await prefsOf(user.id), 'marketing', 'email')).toBe(false);
    expect((await call(path, { method: 'POST' })).status).toBe(200);
  });

  it('refuses a tampered or foreign token with a 400', async () => {
    const { user, headers } = await marketingEmail();
    const token =
      new URL(/^<(.+)>$/.exec(headers['List-Unsubscribe'] ?? '')?.[1] ?? '').searchParams.get('token') ?? '';
    const [payload, mac] = token.split('.');
    const otherUser = btoa(JSON.stringify(['usr_someoneelse', 'marketing', 'email', new Date().toISOString()])).replace(
      /=+$/,
      '',
    );
    const foreign = await signUnsubscribe('another-key', {
      userId: user.id,
      category: 'marketing',
      channel: 'email',
      issuedAt: new Date().toISOString(),
    });
    for (const bad of [`${otherUser}.${mac}`, `${payload}.${mac?.slice(1)}A`, foreign, 'garbage']) {
      const res = await call(`/api/v1/notifications/unsubscribe?token=${encodeURIComponent(bad)}`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }
    expect(enabled(await prefsOf(user.id), 'marketing', 'email')).toBe(true);
  });

  it('gives non-marketing email no unsubscribe headers', async () => {
    const r = await sendNotification(
      env,
      { to: (await createUser()).id, template: 'identity.mfa-changed', data: {}, idempotencyKey: crypto.randomUUID() },
      recordingQueue(),
    );
    const email = r.ok ? r.data.deliveries.find((d) => d.channel === 'email') : undefined;
    const row = await env.DB.prepare('SELECT headers FROM deliveries WHERE id = ?')
      .bind(email?.id ?? '')
      .first<{ headers: string | null }>();
    expect(row?.headers).toBeNull();
  });
});
