import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, call, createTemplate, createUser, principalOf, queuedDeliveries } from './helpers.js';
import { storedDelivery } from './stored-delivery.js';

const key = () => `test.t${crypto.randomUUID().slice(0, 8)}`;
const content = {
  channels: ['email'],
  category: 'product',
  subject: 'Hi {{name}}',
  text: 'Text {{x}}',
  html: '<p>{{x}}</p>',
};

describe('templates', () => {
  it('lists the built-in identity templates', async () => {
    const res = await call('/api/v1/notifications/templates', {}, admin);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { key: string; builtIn: boolean }[] };
    for (const k of [
      'identity.verify-email',
      'identity.reset-password',
      'identity.new-sign-in',
      'identity.mfa-changed',
    ])
      expect(data).toContainEqual(expect.objectContaining({ key: k, builtIn: true }));
  });

  it('creates, versions, previews and deletes a custom template', async () => {
    const k = key();
    expect(await createTemplate({ key: k, ...content })).toMatchObject({ key: k, version: 1, locale: 'en' });
    expect((await call('/api/v1/notifications/templates', { json: { key: k, ...content } }, admin)).status).toBe(409);

    const put = await call(
      `/api/v1/notifications/templates/${k}`,
      { method: 'PUT', json: { ...content, subject: 'v2 {{name}}' } },
      admin,
    );
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ version: 2, subject: 'v2 {{name}}' });

    const got = (await (await call(`/api/v1/notifications/templates/${k}`, {}, admin)).json()) as {
      versions: { version: number }[];
    };
    expect(got.versions.map((v) => v.version)).toEqual([2, 1]);

    const preview = await call(
      `/api/v1/notifications/templates/${k}/preview`,
      { json: { data: { name: 'Ada', x: 'a & b' } } },
      admin,
    );
    expect(await preview.json()).toMatchObject({
      version: 2,
      subject: 'v2 Ada',
      text: 'Text a & b',
      html: '<p>a &amp; b</p>',
    });

    expect((await call(`/api/v1/notifications/templates/${k}`, { method: 'DELETE' }, admin)).status).toBe(204);
    expect((await call(`/api/v1/notifications/templates/${k}`, {}, admin)).status).toBe(404);
  });

  it('previews an unsaved draft with sample data and keeps the stored template', async () => {
    const k = key();
    await createTemplate({ key: k, ...content });
    const preview = (draft: Record<string, unknown>) =>
      call(`/api/v1/notifications/templates/${k}/preview`, { json: { data: { name: 'Ada' }, ...draft } }, admin);
    const drafted = await preview({ subject: 'Draft for {{name}}', text: 'Hello {{name}}', html: null });
    expect(drafted.status).toBe(200);
    expect(await drafted.json()).toMatchObject({ version: 1, subject: 'Draft for Ada', text: 'Hello Ada', html: null });
    // Only the parts sent are drafts: the stored HTML still renders.
    expect(await (await preview({ text: 'Only {{name}}' })).json()).toMatchObject({
      text: 'Only Ada',
      html: '<p></p>',
    });
    const broken = await preview({ text: '{{#open}}' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.text' }] });
    const stored = (await (await call(`/api/v1/notifications/templates/${k}`, {}, admin)).json()) as {
      versions: { version: number; text: string }[];
    };
    expect(stored.versions).toMatchObject([{ version: 1, text: content.text }]);
  });

  it('refuses a template mustache cannot parse with a 400 naming the part', async () => {
    const res = await call(
      '/api/v1/notifications/templates',
      { json: { key: key(), ...content, html: '<p>{{#open}}</p>' } },
      admin,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.html' }] });
  });

  it('locks built-in and identity templates: no new version, no delete, no new identity key', async () => {
    const del = await call('/api/v1/notifications/templates/identity.mfa-changed', { method: 'DELETE' }, admin);
    expect(del.status).toBe(403);
    const leak = { channels: ['email'], category: 'product', subject: 'Reset', text: 'https://evil.example/{{url}}' };
    for (const key of ['identity.reset-password', 'notifications.verify-phone']) {
      const put = await call(`/api/v1/notifications/templates/${key}`, { method: 'PUT', json: leak }, admin);
      expect(put.status).toBe(403);
      expect(await put.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    const created = await call(
      '/api/v1/notifications/templates',
      { json: { key: 'identity.new-one', ...leak } },
      admin,
    );
    expect(created.status).toBe(403);
    const security = await call(
      '/api/v1/notifications/templates',
      { json: { key: key(), ...leak, category: 'security' } },
      admin,
    );
    expect(security.status).toBe(400);
    expect(await security.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'category' }] });
  });

  it('ignores versions of a locked template stored before the lock', async () => {
    // As an attacker with notifications:manage could have published before this rule existed.
    await env.DB.prepare(
      `INSERT INTO templates (id, key, locale, version, channels, category, subject, text, html, created_by)
       VALUES ('tpl_planted', 'identity.reset-password', 'en', 2, '["email"]', 'security', 'Reset',
         'https://evil.example/?t={{url}}', NULL, 'usr_attacker')`,
    ).run();
    const [d] = await queuedDeliveries({
      to: 'victim@example.com',
      template: 'identity.reset-password',
      data: { url: 'u' },
    });
    expect(d?.templateVersion).toBe(1);
    expect((await storedDelivery(d?.id ?? ''))?.bodyText).not.toContain('evil.example');
    const got = await call('/api/v1/notifications/templates/identity.reset-password', {}, admin);
    expect(((await got.json()) as { versions: { version: number }[] }).versions.map((v) => v.version)).toEqual([1]);
  });

  it('needs notifications:manage', async () => {
    const res = await call('/api/v1/notifications/templates', {}, principalOf('usr_x'));
    expect(res.status).toBe(403);
  });

  it('escapes variables in HTML only', async () => {
    const k = key();
    await createTemplate({ key: k, ...content, subject: 'S {{x}}' });
    const [d] = await queuedDeliveries({
      to: 'someone@example.com',
      template: k,
      data: { x: '<script>alert(1)</script>' },
    });
    expect(d?.subject).toBe('S <script>alert(1)</script>');
    expect(d?.bodyText).toBe('Text <script>alert(1)</script>');
    expect(d?.bodyHtml).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('renders a missing variable empty', async () => {
    const [d] = await queuedDeliveries({
      to: 'someone@example.com',
      template: 'identity.email-changed',
      data: { newEmail: 'n@example.com' },
    });
    // Read from the row: the API hides a security message's body until the local sandbox has caught it.
    expect((await storedDelivery(d?.id ?? ''))?.bodyText).toContain('changed from  to n@example.com');
  });

  it('falls back from the requested locale to its language, the user’s locale, then en', async () => {
    const k = key();
    await createTemplate({ key: k, ...content, subject: 'en' });
    for (const locale of ['pt', 'fr-CA'])
      await call(
        `/api/v1/notifications/templates/${k}`,
        { method: 'PUT', json: { ...content, subject: locale, locale } },
        admin,
      );
    const subjectFor = async (to: string, locale?: string) =>
      (await queuedDeliveries({ to, template: k, ...(locale ? { locale } : {}) }))[0]?.subject;
    expect(await subjectFor('a@example.com', 'pt-BR')).toBe('pt');
    expect(await subjectFor('a@example.com', 'de')).toBe('en');
    const user = await createUser({ locale: 'fr-CA' });
    expect(await subjectFor(user.id)).toBe('fr-CA');
    expect(await subjectFor(user.id, 'pt-PT')).toBe('pt');
    const other = await createUser({ locale: 'fr-FR' });
    expect(await subjectFor(other.id)).toBe('en');
  });
});
