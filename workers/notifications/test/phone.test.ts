import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PHONE_CODE_RESEND_MS, requestPhoneVerification } from '../src/services/phone.js';
import { call, createUser, principalOf, queuedDeliveries } from './helpers.js';

/** The code of the newest verification text to `phone`, as the sandbox would show it. */
async function textedCode(phone: string): Promise<string> {
  const row = await env.DB.prepare(
    "SELECT body_text FROM deliveries WHERE address = ? AND template = 'notifications.verify-phone' ORDER BY created_at DESC LIMIT 1",
  )
    .bind(phone)
    .first<{ body_text: string }>();
  const code = row?.body_text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code texted to ${phone}`);
  return code;
}

const smsTo = (userId: string) =>
  queuedDeliveries({ to: userId, template: 'identity.mfa-changed', channels: ['sms'], data: {} });

describe('SMS number', () => {
  it('reaches a number only after the texted code confirms it, and not after it is removed', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    const phone = '+14155550123';
    expect((await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone: '0123' } }, me)).status).toBe(
      400,
    );
    const set = await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone } }, me);
    expect(set.status).toBe(202);
    expect(await set.json()).toEqual({ phone, verified: false });
    expect(await smsTo(user.id)).toEqual([]);

    const code = await textedCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await call('/api/v1/notifications/phone/verify', { json: { code: wrong } }, me);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('INVALID_TOKEN');
    const ok = await call('/api/v1/notifications/phone/verify', { json: { code } }, me);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ phone, verified: true });
    // Spent: the same code does not work twice.
    expect((await call('/api/v1/notifications/phone/verify', { json: { code } }, me)).status).toBe(400);

    expect((await smsTo(user.id)).map((d) => [d.channel, d.address])).toEqual([['sms', phone]]);
    expect(await (await call('/api/v1/notifications/phone', {}, me)).json()).toEqual({ phone, verified: true });
    // Setting the verified number again texts nothing and keeps it verified.
    const again = await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone } }, me);
    expect(again.status).toBe(200);

    expect((await call('/api/v1/notifications/phone', { method: 'DELETE' }, me)).status).toBe(204);
    expect(await smsTo(user.id)).toEqual([]);
    expect((await call('/api/v1/notifications/phone', {}, me)).status).toBe(404);
  });

  it('texts a new code at most once a minute, and a changed number needs its own code', async () => {
    const user = await createUser();
    const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
    await requestPhoneVerification(env, user.id, '+14155550124', t0);
    const tooSoon = requestPhoneVerification(env, user.id, '+14155550125', t0 + PHONE_CODE_RESEND_MS - 1000);
    await expect(tooSoon).rejects.toMatchObject({ code: 'RATE_LIMITED', headers: { 'retry-after': '1' } });
    const later = await requestPhoneVerification(env, user.id, '+14155550125', t0 + PHONE_CODE_RESEND_MS);
    expect(later).toEqual({ view: { phone: '+14155550125', verified: false }, sent: true });
    const texts = await env.DB.prepare(
      "SELECT address FROM deliveries WHERE template = 'notifications.verify-phone' AND address IN ('+14155550124', '+14155550125') ORDER BY address",
    ).all<{ address: string }>();
    expect(texts.results.map((r) => r.address)).toEqual(['+14155550124', '+14155550125']);
  });

  it('kills a code after five wrong tries', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    const phone = '+14155550126';
    expect((await call('/api/v1/notifications/phone', { method: 'PUT', json: { phone } }, me)).status).toBe(202);
    const code = await textedCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expect((await call('/api/v1/notifications/phone/verify', { json: { code: wrong } }, me)).status).toBe(400);
    }
    expect((await call('/api/v1/notifications/phone/verify', { json: { code } }, me)).status).toBe(400);
    expect(await (await call('/api/v1/notifications/phone', {}, me)).json()).toEqual({ phone, verified: false });
  });
});
