import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { adminToken, bearer, emailTo, jsonRequest, registeredUser } from './support/identity.js';

const KEY = `e2e.news-${crypto.randomUUID().slice(0, 8)}`;

interface SendResult {
  deliveries: { id: string; channel: string }[];
  skipped?: unknown;
}

async function send(to: string, idempotencyKey: string): Promise<SendResult> {
  const res = await api(
    '/api/v1/notifications/send',
    jsonRequest(
      'POST',
      { to, template: KEY, data: { headline: 'Rockets & <rivets>' }, idempotencyKey },
      bearer(await adminToken()),
    ),
  );
  expect(res.status).toBe(202);
  return (await res.json()) as SendResult;
}

describe('notifications through the gateway', () => {
  it('sends a template of its admin to the inbox, and marketing email only after an opt-in', async () => {
    const admin = await adminToken();
    const created = await api(
      '/api/v1/notifications/templates',
      jsonRequest(
        'POST',
        {
          key: KEY,
          channels: ['email', 'inapp'],
          category: 'marketing',
          subject: 'News: {{headline}}',
          text: 'This week: {{headline}}\n\nUnsubscribe: {{unsubscribeUrl}}',
          html: '<p>This week: {{headline}}</p>',
        },
        bearer(admin),
      ),
    );
    expect(created.status).toBe(201);
    const user = await registeredUser();
    const auth = bearer(user.tokens.accessToken);

    // Marketing is off until the user opts in: nothing goes out.
    expect((await send(user.id, `${KEY}-1`)).deliveries).toEqual([]);

    const optIn = await api(
      '/api/v1/notifications/preferences',
      jsonRequest(
        'PUT',
        {
          preferences: [
            { category: 'marketing', channel: 'email', enabled: true },
            { category: 'marketing', channel: 'inapp', enabled: true },
          ],
        },
        auth,
      ),
    );
    expect(optIn.status).toBe(200);
    await expectProblem(
      await api(
        '/api/v1/notifications/preferences',
        jsonRequest('PUT', { preferences: [{ category: 'security', channel: 'email', enabled: false }] }, auth),
      ),
      400,
      'VALIDATION_FAILED',
    );
    const sent = await send(user.id, `${KEY}-2`);
    expect(sent.deliveries.map((d) => d.channel).sort()).toEqual(['email', 'inapp']);
    // A retried send with the same key is the same send.
    expect((await send(user.id, `${KEY}-2`)).deliveries.map((d) => d.id).sort()).toEqual(
      sent.deliveries.map((d) => d.id).sort(),
    );

    const email = await emailTo(user.id, KEY);
    expect(email.subject).toBe('News: Rockets & <rivets>');
    expect(email.html).toContain('Rockets &amp; &lt;rivets&gt;');

    let inbox: { data: { id: string; title: string; readAt: string | null }[] } = { data: [] };
    const deadline = Date.now() + 20_000;
    while (inbox.data.length === 0 && Date.now() < deadline) {
      inbox = (await (await api('/api/v1/notifications?unread=true', { headers: auth })).json()) as typeof inbox;
      if (inbox.data.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(inbox.data.map((i) => i.title)).toEqual(['News: Rockets & <rivets>']);
    expect(await (await api('/api/v1/notifications/unread-count', { headers: auth })).json()).toEqual({ unread: 1 });
    const id = inbox.data[0]?.id ?? '';
    expect((await api(`/api/v1/notifications/${id}/read`, { method: 'POST', headers: auth })).status).toBeLessThan(300);
    expect(await (await api('/api/v1/notifications/unread-count', { headers: auth })).json()).toEqual({ unread: 0 });

    // The one-click unsubscribe of the email, as a mail client sends it: a form POST without any session.
    const unsubscribe = email.text.match(/Unsubscribe: (\S+)/)?.[1] ?? '';
    expect(new URL(unsubscribe).pathname).toBe('/api/v1/notifications/unsubscribe');
    const oneClick = await api(new URL(unsubscribe).pathname + new URL(unsubscribe).search, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const prefs = (await (await api('/api/v1/notifications/preferences', { headers: auth })).json()) as {
      data: { category: string; channel: string; enabled: boolean }[];
    };
    expect(prefs.data.find((p) => p.category === 'marketing' && p.channel === 'email')?.enabled).toBe(false);
    expect(prefs.data.find((p) => p.category === 'marketing' && p.channel === 'inapp')?.enabled).toBe(true);
  });

  it('keeps the delivery log and templates from members', async () => {
    const user = await registeredUser();
    const auth = bearer(user.tokens.accessToken);
    await expectProblem(await api('/api/v1/notifications/deliveries', { headers: auth }), 403, 'FORBIDDEN');
    await expectProblem(
      await api(
        '/api/v1/notifications/send',
        jsonRequest('POST', { to: user.id, template: KEY, idempotencyKey: 'x' }, auth),
      ),
      403,
      'FORBIDDEN',
    );
  });
});
