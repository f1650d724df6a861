import { env } from 'cloudflare:workers';
import { FORGET_HEADER, type Principal } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { call, createUser, uniqueEmail, waitForMessages } from './helpers.js';

type Tokens = { accessToken: string; refreshToken: string };

/** Signs in for real and returns the principal the gateway would derive from the access token. */
async function signedIn(
  options: Parameters<typeof createUser>[0] = {},
  userAgent = 'Mozilla/5.0 (Macintosh; Mac OS X 14_0) Chrome/140.0',
) {
  const user = await createUser(options);
  const res = await call('/auth/login', {
    json: { email: user.email, password: user.password },
    headers: { 'user-agent': userAgent },
  });
  const tokens = await res.json<Tokens>();
  const claims = JSON.parse(atob(tokens.accessToken.split('.')[1] ?? '')) as { sid: string; permissions: string[] };
  const principal: Principal = {
    userId: user.id,
    sessionId: claims.sid,
    permissions: claims.permissions,
    via: 'access_token',
  };
  return { ...user, tokens, principal };
}

describe('GET /api/v1/users/me', () => {
  it('answers the caller’s own account', async () => {
    const { id, email, principal } = await signedIn({ name: 'Grace' });
    const res = await call('/api/v1/users/me', {}, { principal });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, email, name: 'Grace', emailVerified: true, mfaEnabled: false });
  });

  it('names what the credential may do: a key answers its scopes, not its owner’s roles', async () => {
    const { id, principal } = await signedIn();
    const session = await call('/api/v1/users/me', {}, { principal });
    expect((await session.json<{ permissions: string[] }>()).permissions).toEqual(principal.permissions);
    const keyPrincipal: Principal = { userId: id, sessionId: null, permissions: ['files:read'], via: 'api_key' };
    const key = await call('/api/v1/users/me', {}, { principal: keyPrincipal });
    expect((await key.json<{ permissions: string[] }>()).permissions).toEqual(['files:read']);
  });

  it('is 401 without a principal, whatever headers the client sends', async () => {
    const { id } = await createUser();
    const res = await call('/api/v1/users/me', { headers: { 'x-user-id': id, authorization: 'Bearer forged' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('PATCH /api/v1/users/me', () => {
  it('updates the profile fields and validates each', async () => {
    const { principal } = await signedIn();
    const ok = await call(
      '/api/v1/users/me',
      {
        method: 'PATCH',
        json: { name: 'Ada L.', locale: 'pt-BR', timezone: 'America/Sao_Paulo', avatarFileId: 'fil_123' },
      },
      { principal },
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      name: 'Ada L.',
      locale: 'pt-BR',
      timezone: 'America/Sao_Paulo',
      avatarFileId: 'fil_123',
    });
    for (const bad of [
      { timezone: 'Mars/Olympus' },
      { locale: 'not a locale' },
      { unknownField: 1 },
      { avatarFileId: '../x' },
    ]) {
      const res = await call('/api/v1/users/me', { method: 'PATCH', json: bad }, { principal });
      expect(res.status).toBe(400);
    }
    const after = await (await call('/api/v1/users/me', {}, { principal })).json();
    expect(after).toMatchObject({ timezone: 'America/Sao_Paulo', locale: 'pt-BR' });
  });

  it('changes the email only after the new address is verified, and needs the current password', async () => {
    const { id, email, password, principal } = await signedIn();
    const newEmail = uniqueEmail('new');
    const missing = await call('/api/v1/users/me', { method: 'PATCH', json: { email: newEmail } }, { principal });
    expect(missing.status).toBe(400);
    const wrong = await call(
      '/api/v1/users/me',
      { method: 'PATCH', json: { email: newEmail, currentPassword: 'nope nope nope' } },
      { principal },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'CURRENT_PASSWORD_INVALID' });
    const res = await call(
      '/api/v1/users/me',
      { method: 'PATCH', json: { email: newEmail, currentPassword: password } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email, pendingEmail: newEmail });
    const messages = await waitForMessages('onasis-notifications', (all) =>
      all.some((m) => m.to === id && m.toAddress === newEmail && m.template === 'identity.verify-email'),
    );
    const link = messages.find((m) => m.toAddress === newEmail) as { data: { token: string } };
    const verify = await call('/auth/verify-email', { json: { token: link.data.token } });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ email: newEmail, emailVerified: true });
    // The old address hears about the change.
    await waitForMessages('onasis-notifications', (all) =>
      all.some((m) => m.to === id && m.template === 'identity.email-changed' && m.toAddress === email),
    );
  });

  it('refuses an email that another account has', async () => {
    const other = await createUser();
    const { password, principal } = await signedIn();
    const res = await call(
      '/api/v1/users/me',
      { method: 'PATCH', json: { email: other.email, currentPassword: password } },
      { principal },
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('changes the password and signs out every other session', async () => {
    const me = await signedIn();
    const other = await call('/auth/login', { json: { email: me.email, password: me.password } });
    const otherTokens = await other.json<Tokens>();
    const res = await call(
      '/api/v1/users/me',
      { method: 'PATCH', json: { password: 'my new long passphrase', currentPassword: me.password } },
      { principal: me.principal },
    );
    expect(res.status).toBe(200);
    expect((await call('/auth/refresh', { json: { refreshToken: otherTokens.refreshToken } })).status).toBe(401);
    expect((await call('/auth/refresh', { json: { refreshToken: me.tokens.refreshToken } })).status).toBe(200);
    expect((await call('/auth/login', { json: { email: me.email, password: 'my new long passphrase' } })).status).toBe(
      200,
    );
  });
});

describe('sessions', () => {
  it('lists live sessions with device and IP and revokes one', async () => {
    const me = await signedIn({}, 'Mozilla/5.0 (Windows NT 10.0; Win64) Edg/140.0');
    await call('/auth/login', {
      json: { email: me.email, password: me.password },
      headers: { 'user-agent': 'curl/8.5.0' },
    });
    const list = await call('/api/v1/users/me/sessions', {}, { principal: me.principal });
    const { data } = await list.json<{ data: { id: string; device: string; ip: string; current: boolean }[] }>();
    expect(data).toHaveLength(2);
    expect(data.map((s) => s.device).sort()).toEqual(['Edge on Windows', 'curl']);
    expect(data.find((s) => s.current)?.id).toBe(me.principal.sessionId);
    expect(data.every((s) => s.ip === '203.0.113.7')).toBe(true);
    const other = data.find((s) => !s.current)?.id ?? '';
    const revoked = await call(`/api/v1/users/me/sessions/${other}`, { method: 'DELETE' }, { principal: me.principal });
    expect(revoked.status).toBe(204);
    expect(revoked.headers.get(FORGET_HEADER)).toBe(`session=${other}`);
    expect(
      (await call(`/api/v1/users/me/sessions/${other}`, { method: 'DELETE' }, { principal: me.principal })).status,
    ).toBe(404);
    const after = await (await call('/api/v1/users/me/sessions', {}, { principal: me.principal })).json<{
      data: unknown[];
    }>();
    expect(after.data).toHaveLength(1);
  });

  it('cannot revoke another user’s session', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const res = await call(
      `/api/v1/users/me/sessions/${b.principal.sessionId}`,
      { method: 'DELETE' },
      { principal: a.principal },
    );
    expect(res.status).toBe(404);
    expect(await env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(b.id)).isActive(b.principal.sessionId ?? '')).toBe(
      true,
    );
  });
});

describe('DELETE /api/v1/users/me', () => {
  it('needs the password, then erases the account and emits user.deleted', async () => {
    const me = await signedIn();
    expect(
      (
        await call(
          '/api/v1/users/me',
          { method: 'DELETE', json: { currentPassword: 'wrong one here' } },
          { principal: me.principal },
        )
      ).status,
    ).toBe(401);
    const res = await call(
      '/api/v1/users/me',
      { method: 'DELETE', json: { currentPassword: me.password } },
      { principal: me.principal },
    );
    expect(res.status).toBe(204);
    expect(res.headers.get(FORGET_HEADER)).toBe(`user=${me.id}`);
    expect(await env.DB.prepare('SELECT 1 FROM users WHERE id = ?').bind(me.id).first()).toBeNull();
    expect(await env.DB.prepare('SELECT 1 FROM user_roles WHERE user_id = ?').bind(me.id).first()).toBeNull();
    expect(await env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(me.id)).list()).toEqual([]);
    const events = await waitForMessages('onasis-user-events', (all) => all.some((e) => e.userId === me.id));
    expect(events.find((e) => e.userId === me.id)).toMatchObject({ kind: 'user-event', type: 'user.deleted' });
    expect((await call('/api/v1/users/me', {}, { principal: me.principal })).status).toBe(401);
    expect((await call('/auth/login', { json: { email: me.email, password: me.password } })).status).toBe(401);
  });
});

describe('GET /api/v1/users/me/export', () => {
  it('returns the account, sessions and security events as a JSON download', async () => {
    const me = await signedIn({ name: 'Export Me' });
    const res = await call('/api/v1/users/me/export', {}, { principal: me.principal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const body = await res.json<{ user: { id: string }; sessions: unknown[]; securityEvents: { action: string }[] }>();
    expect(body.user.id).toBe(me.id);
    expect(body.sessions).toHaveLength(1);
    expect(body.securityEvents.map((e) => e.action)).toContain('user.login');
    expect(JSON.stringify(body)).not.toContain('pbkdf2');
  });
});
