import { env } from 'cloudflare:workers';
import { ACCESS_TOKEN_AUDIENCE, FORGET_HEADER } from '@onasis/contracts';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { PBKDF2_MAX_ITERATIONS } from '../src/services/password.js';
import { commonPasswordCount } from '../src/services/password-policy.js';
import { call, createUser, uniqueEmail, userIdOf, waitForMessages } from './helpers.js';

type Tokens = { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };

async function login(email: string, password: string, headers: Record<string, string> = {}) {
  return call('/auth/login', { json: { email, password }, headers });
}

async function signIn(email: string, password: string): Promise<Tokens> {
  const res = await login(email, password);
  expect(res.status).toBe(200);
  return res.json<Tokens>();
}

function tokenFrom(url: unknown): string {
  return new URL(String(url)).searchParams.get('token') ?? '';
}

async function messageFor(userId: string, template: string) {
  const messages = await waitForMessages('onasis-notifications', (all) =>
    all.some((m) => m.to === userId && m.template === template),
  );
  return messages.filter((m) => m.to === userId && m.template === template).at(-1) as {
    data: { token: string; url: string };
    category: string;
    idempotencyKey: string;
    toAddress?: string;
  };
}

describe('POST /auth/register', () => {
  it('creates an unverified account with a normalised email and queues a verification email', async () => {
    const email = uniqueEmail('Ada');
    const res = await call('/auth/register', {
      json: { email: `  ${email.toUpperCase()} `, password: 'entropy is my middle name', name: 'Ada' },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ email: email.toLowerCase() });
    const user = await env.DB.prepare(
      'SELECT u.id, u.email_verified_at, (SELECT group_concat(role) FROM user_roles WHERE user_id = u.id) AS roles FROM users u WHERE email = ?',
    )
      .bind(email.toLowerCase())
      .first<{ id: string; email_verified_at: string | null; roles: string }>();
    expect(user).toMatchObject({ email_verified_at: null, roles: 'member' });
    const message = await messageFor(user?.id ?? '', 'identity.verify-email');
    expect(message.category).toBe('security');
    expect(message.data.url).toMatch(/^http:\/\/localhost:8787\/verify-email\?token=/);
    expect(message.data.token).toHaveLength(43);
    const outbox = await env.DB.prepare('SELECT count(*) AS n FROM outbox').first<{ n: number }>();
    expect(outbox?.n).toBe(0);
  });

  it('answers an address that has an account, in any spelling, exactly as a new one and mails its owner', async () => {
    const { id, email } = await createUser();
    const fresh = uniqueEmail();
    const taken = await call('/auth/register', {
      json: { email: email.toUpperCase(), password: 'another fine passphrase' },
    });
    const created = await call('/auth/register', { json: { email: fresh, password: 'another fine passphrase' } });
    expect(taken.status).toBe(202);
    expect(created.status).toBe(taken.status);
    expect(await taken.json()).toEqual({ email });
    expect(await created.json()).toEqual({ email: fresh });
    expect([...taken.headers.keys()].sort()).toEqual([...created.headers.keys()].sort());
    const n = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?')
      .bind(email)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
    const notice = await messageFor(id, 'identity.register-attempt');
    expect(notice).toMatchObject({ category: 'security', data: { url: 'http://localhost:8787/forgot-password' } });
  });

  it.each([
    ['too short', 'seven77'],
    ['too long', 'x'.repeat(129)],
    ['common', 'password123'],
    ['common in another case', 'PassWord123'],
  ])('refuses a password that is %s and creates nothing', async (_case, password) => {
    const email = uniqueEmail();
    const res = await call('/auth/register', { json: { email, password } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'PASSWORD_REJECTED' });
    expect(await env.DB.prepare('SELECT 1 FROM users WHERE email = ?').bind(email).first()).toBeNull();
  });

  it('accepts any Unicode, counts code points, and never truncates', async () => {
    const email = uniqueEmail();
    const password = `${'🔑'.repeat(127)}é`;
    expect([...password]).toHaveLength(128);
    expect((await call('/auth/register', { json: { email, password } })).status).toBe(202);
    expect((await login(email, password)).status).toBe(200);
    expect((await login(email, password.slice(0, -1))).status).toBe(401);
    // The same password typed in decomposed form is the same password.
    expect((await login(email, password.normalize('NFD'))).status).toBe(200);
  });

  it('ships a common-password list of at least 10,000 entries', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('answers 400 for a malformed body', async () => {
    const res = await call('/auth/register', { json: { email: 'not-an-email', password: 12 } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('email verification', () => {
  it('verifies with the emailed token once', async () => {
    const email = uniqueEmail();
    await call('/auth/register', { json: { email, password: 'verify me please now' } });
    const id = await userIdOf(email);
    const { data } = await messageFor(id, 'identity.verify-email');
    const first = await call('/auth/verify-email', { json: { token: tokenFrom(data.url) } });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id, emailVerified: true });
    const second = await call('/auth/verify-email', { json: { token: data.token } });
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses an expired token', async () => {
    const email = uniqueEmail();
    await call('/auth/register', { json: { email, password: 'verify me please now' } });
    const id = await userIdOf(email);
    const { data } = await messageFor(id, 'identity.verify-email');
    await env.DB.prepare("UPDATE email_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ?")
      .bind(id)
      .run();
    expect((await call('/auth/verify-email', { json: { token: data.token } })).status).toBe(400);
  });

  it('resends a fresh link to the signed-in user and voids the old one', async () => {
    const email = uniqueEmail();
    await call('/auth/register', { json: { email, password: 'verify me please now' } });
    const id = await userIdOf(email);
    const old = await messageFor(id, 'identity.verify-email');
    const tokens = await signIn(email, 'verify me please now');
    const claims = JSON.parse(atob(tokens.accessToken.split('.')[1] ?? '')) as { sid: string };
    const resend = await call(
      '/auth/verify-email/resend',
      { method: 'POST' },
      {
        principal: { userId: id, sessionId: claims.sid, permissions: [], via: 'access_token' },
      },
    );
    expect(resend.status).toBe(202);
    const messages = await waitForMessages(
      'onasis-notifications',
      (all) => all.filter((m) => m.to === id && m.template === 'identity.verify-email').length === 2,
    );
    const fresh = messages.filter((m) => m.to === id && m.template === 'identity.verify-email')[1] as {
      data: { token: string };
    };
    expect((await call('/auth/verify-email', { json: { token: old.data.token } })).status).toBe(400);
    expect((await call('/auth/verify-email', { json: { token: fresh.data.token } })).status).toBe(200);
  });
});

describe('POST /auth/login', () => {
  it('issues an ES256 access token with the pinned claims and a refresh token', async () => {
    const { id, email, password } = await createUser({ roles: ['admin'] });
    const tokens = await signIn(email, password);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = await (await call('/.well-known/jwks.json')).json<{ keys: never[] }>();
    const { payload } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
      issuer: env.ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe(id);
    expect(payload.sid).toMatch(/^ses_/);
    expect(payload.jti).toEqual(expect.any(String));
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
    expect(payload.permissions).toContain('users:write');
    expect(tokens.refreshToken.startsWith(`${id}.`)).toBe(true);
    expect(tokens.refreshToken.length - id.length - 1).toBeGreaterThanOrEqual(43);
  });

  it('answers unknown email and wrong password with the same 401', async () => {
    const { email } = await createUser();
    const unknown = await login(uniqueEmail('nobody'), 'whatever it is 123');
    const wrong = await login(email, 'not the password at all');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const a = await unknown.json<Record<string, unknown>>();
    const b = await wrong.json<Record<string, unknown>>();
    expect(a.code).toBe('INVALID_CREDENTIALS');
    expect({ ...a, requestId: '', instance: '' }).toEqual({ ...b, requestId: '', instance: '' });
  });

  it('spends the same PBKDF2 work on an unknown email as on a wrong password', async () => {
    const { email } = await createUser();
    await login(uniqueEmail(), 'warm the decoy up');
    const spy = vi.spyOn(crypto.subtle, 'deriveBits');
    await login(uniqueEmail('nobody'), 'whatever it is 123');
    const unknownCalls = spy.mock.calls.map((c) => (c[0] as { iterations: number }).iterations);
    spy.mockClear();
    await login(email, 'not the password at all');
    const wrongCalls = spy.mock.calls.map((c) => (c[0] as { iterations: number }).iterations);
    spy.mockRestore();
    expect(unknownCalls).toEqual([100_000]);
    expect(wrongCalls).toEqual(unknownCalls);
  });

  it('locks the account after five failures with growing back-off, even for the right password', async () => {
    const { id, email, password } = await createUser();
    for (let i = 0; i < 4; i++) expect((await login(email, `wrong password ${i}`)).status).toBe(401);
    expect((await login(email, 'wrong password 4')).status).toBe(401);
    const locked = await login(email, password);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    const first = Number(locked.headers.get('retry-after'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);
    // Let the lock lapse, fail once more: the next lock is twice as long.
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(id));
    await runInDurableObjectReset(stub);
    expect((await login(email, 'wrong password 5')).status).toBe(401);
    const again = await login(email, password);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(30);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('refuses a disabled account after a correct password only', async () => {
    const { id, email, password } = await createUser();
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(id).run();
    expect((await login(email, 'wrong password here')).status).toBe(401);
    const res = await login(email, password);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'ACCOUNT_DISABLED' });
  });

  it('sends a new-sign-in notice for a new device only', async () => {
    const { id, email, password } = await createUser();
    await login(email, password, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/140.0' });
    await login(email, password, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/140.0' });
    await login(email, password, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1' });
    const messages = await waitForMessages(
      'onasis-notifications',
      (all) => all.filter((m) => m.to === id && m.template === 'identity.new-sign-in').length >= 2,
    );
    const notices = messages.filter((m) => m.to === id && m.template === 'identity.new-sign-in') as {
      data: { device: string };
    }[];
    expect(notices.map((n) => n.data.device)).toEqual(['Firefox on Windows', 'Safari on iOS']);
  });
});

/** Moves a lock into the past, as time passing would. */
async function runInDurableObjectReset(stub: DurableObjectStub): Promise<void> {
  const { runInDurableObject } = await import('cloudflare:test');
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec('UPDATE throttles SET locked_until = ?', Date.now() - 1);
  });
}

describe('POST /auth/refresh', () => {
  it('rotates the refresh token and keeps the session', async () => {
    const { email, password } = await createUser();
    const first = await signIn(email, password);
    const res = await call('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    expect(res.status).toBe(200);
    const second = await res.json<Tokens>();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const sid = (t: string) => (JSON.parse(atob(t.split('.')[1] ?? '')) as { sid: string }).sid;
    expect(sid(second.accessToken)).toBe(sid(first.accessToken));
  });

  /** Moves every spent refresh token of `userId` `ms` into the past, as if that much time had passed. */
  async function ageSpentTokens(userId: string, ms: number): Promise<void> {
    const { runInDurableObject } = await import('cloudflare:test');
    await runInDurableObject(env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(userId)), (_i, state) => {
      state.storage.sql.exec('UPDATE refresh_tokens SET spent_at = spent_at - ? WHERE spent_at IS NOT NULL', ms);
    });
  }

  it('revokes the whole family when a rotated token is presented after the grace period', async () => {
    const { id, email, password } = await createUser();
    const first = await signIn(email, password);
    const second = await (await call('/auth/refresh', { json: { refreshToken: first.refreshToken } })).json<Tokens>();
    await ageSpentTokens(id, 31_000);
    const reuse = await call('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    // The legitimate holder's newer token dies with the family.
    const legit = await call('/auth/refresh', { json: { refreshToken: second.refreshToken } });
    expect(legit.status).toBe(401);
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(id));
    expect(await stub.list()).toEqual([]);
    const reused = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE action = 'session.refresh_token_reused' AND target_id = ?",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(reused?.n).toBe(1);
  });

  it('answers a retry within 30 seconds with the same successor, and the session lives on', async () => {
    const { id, email, password } = await createUser();
    const first = await signIn(email, password);
    const second = await (await call('/auth/refresh', { json: { refreshToken: first.refreshToken } })).json<Tokens>();
    const retry = await call('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    expect(retry.status).toBe(200);
    expect((await retry.json<Tokens>()).refreshToken).toBe(second.refreshToken);
    const third = await call('/auth/refresh', { json: { refreshToken: second.refreshToken } });
    expect(third.status).toBe(200);
    const newest = await third.json<Tokens>();
    // A tab that is two rotations behind, still within the window, catches up with the newest token.
    const behind = await call('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    expect((await behind.json<Tokens>()).refreshToken).toBe(newest.refreshToken);
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(id));
    expect(await stub.list()).toHaveLength(1);
    // The successor is derived, never stored: the object holds only hashes.
    const { runInDurableObject } = await import('cloudflare:test');
    const stored = await runInDurableObject(stub, (_i, state) =>
      JSON.stringify(state.storage.sql.exec('SELECT * FROM refresh_tokens').toArray()),
    );
    for (const token of [first, second, newest]) expect(stored).not.toContain(token.refreshToken.split('.')[1]);
  });

  it('answers two concurrent refreshes with the same token with the same successor', async () => {
    const { email, password } = await createUser();
    const { refreshToken } = await signIn(email, password);
    const results = await Promise.all([1, 2].map(() => call('/auth/refresh', { json: { refreshToken } })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = await Promise.all(results.map((r) => r.json<Tokens>()));
    expect(a?.refreshToken).toBe(b?.refreshToken);
  });

  it('spends nothing when the user cannot be signed in: the token still works once the account is back', async () => {
    const { id, email, password } = await createUser();
    const { refreshToken } = await signIn(email, password);
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(id).run();
    expect((await call('/auth/refresh', { json: { refreshToken } })).status).toBe(401);
    await env.DB.prepare("UPDATE users SET status = 'active' WHERE id = ?").bind(id).run();
    expect((await call('/auth/refresh', { json: { refreshToken } })).status).toBe(200);
  });

  it.each([['garbage'], ['usr_nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']])(
    'refuses %s',
    async (refreshToken) => {
      const res = await call('/auth/refresh', { json: { refreshToken } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });
    },
  );

  it('refuses a token past its idle lifetime', async () => {
    const { id, email, password } = await createUser();
    const { refreshToken } = await signIn(email, password);
    const { runInDurableObject } = await import('cloudflare:test');
    await runInDurableObject(env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(id)), (_i, state) => {
      state.storage.sql.exec('UPDATE sessions SET idle_expires_at = ?', Date.now() - 1);
    });
    expect((await call('/auth/refresh', { json: { refreshToken } })).status).toBe(401);
  });
});

describe('password reset', () => {
  it('always answers 202 and emails a single-use token only to existing accounts', async () => {
    const { id, email, password } = await createUser();
    const session = await signIn(email, password);
    expect((await call('/auth/password/forgot', { json: { email: uniqueEmail('ghost') } })).status).toBe(202);
    expect((await call('/auth/password/forgot', { json: { email } })).status).toBe(202);
    const { data } = await messageFor(id, 'identity.reset-password');
    expect(data.url).toMatch(/\/reset-password\?token=/);
    expect((await call('/auth/password/reset', { json: { token: data.token, password: 'password' } })).status).toBe(
      400,
    );
    const reset = await call('/auth/password/reset', {
      json: { token: data.token, password: 'a brand new passphrase' },
    });
    expect(reset.status).toBe(204);
    expect(
      (await call('/auth/password/reset', { json: { token: data.token, password: 'yet another passphrase' } })).status,
    ).toBe(400);
    expect((await login(email, password)).status).toBe(401);
    expect((await login(email, 'a brand new passphrase')).status).toBe(200);
    // Every session that existed before the reset is gone.
    expect((await call('/auth/refresh', { json: { refreshToken: session.refreshToken } })).status).toBe(401);
  });

  it('expires reset tokens after an hour', async () => {
    const { id, email } = await createUser();
    await call('/auth/password/forgot', { json: { email } });
    const { data } = await messageFor(id, 'identity.reset-password');
    const row = await env.DB.prepare(
      "SELECT created_at, expires_at FROM email_tokens WHERE user_id = ? AND purpose = 'reset_password'",
    )
      .bind(id)
      .first<{ created_at: string; expires_at: string }>();
    const ttl = Date.parse(String(row?.expires_at)) - Date.parse(String(row?.created_at));
    expect(Math.abs(ttl - 3600_000)).toBeLessThan(5000);
    await env.DB.prepare("UPDATE email_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = ?")
      .bind(id)
      .run();
    expect(
      (await call('/auth/password/reset', { json: { token: data.token, password: 'a brand new passphrase' } })).status,
    ).toBe(400);
  });
});

describe('logout', () => {
  it('ends the current session, or all of them', async () => {
    const { id, email, password } = await createUser();
    const a = await signIn(email, password);
    const b = await signIn(email, password);
    const sid = (t: string) => (JSON.parse(atob(t.split('.')[1] ?? '')) as { sid: string }).sid;
    const principal = { userId: id, sessionId: sid(a.accessToken), permissions: [], via: 'access_token' as const };
    expect((await call('/auth/logout', { method: 'POST' }, { principal })).status).toBe(204);
    expect((await call('/auth/refresh', { json: { refreshToken: a.refreshToken } })).status).toBe(401);
    expect((await call('/auth/refresh', { json: { refreshToken: b.refreshToken } })).status).toBe(200);
    expect((await call('/auth/logout-all', { method: 'POST' }, { principal })).status).toBe(204);
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(id));
    expect(await stub.list()).toEqual([]);
  });

  it('names the ended session, or the user, on the forget header for the gateway', async () => {
    const { id, email, password } = await createUser();
    const { accessToken } = await signIn(email, password);
    const sessionId = (JSON.parse(atob(accessToken.split('.')[1] ?? '')) as { sid: string }).sid;
    const principal = { userId: id, sessionId, permissions: [], via: 'access_token' as const };
    const logout = await call('/auth/logout', { method: 'POST' }, { principal });
    expect(logout.headers.get(FORGET_HEADER)).toBe(`session=${sessionId}`);
    const logoutAll = await call('/auth/logout-all', { method: 'POST' }, { principal });
    expect(logoutAll.headers.get(FORGET_HEADER)).toBe(`user=${id}`);
  });

  it('needs a principal', async () => {
    const res = await call('/auth/logout', { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('PBKDF2 iterations', () => {
  it('no code path asks WebCrypto for more than 100,000', async () => {
    const spy = vi.spyOn(crypto.subtle, 'deriveBits');
    const email = uniqueEmail();
    await call('/auth/register', { json: { email, password: 'iteration counting pw' } });
    const id = await userIdOf(email);
    const tokens = await signIn(email, 'iteration counting pw');
    await login(email, 'a wrong password here');
    await login(uniqueEmail(), 'unknown account pw');
    const sid = (JSON.parse(atob(tokens.accessToken.split('.')[1] ?? '')) as { sid: string }).sid;
    const principal = { userId: id, sessionId: sid, permissions: [], via: 'access_token' as const };
    await call(
      '/api/v1/users/me',
      { method: 'PATCH', json: { password: 'changed it to this', currentPassword: 'iteration counting pw' } },
      { principal },
    );
    await call('/auth/password/forgot', { json: { email } });
    const { data } = await messageFor(id, 'identity.reset-password');
    await call('/auth/password/reset', { json: { token: data.token, password: 'and reset it to this' } });
    await call(
      '/api/v1/users/me',
      { method: 'DELETE', json: { currentPassword: 'and reset it to this' } },
      { principal },
    );
    const iterations = spy.mock.calls
      .filter((c) => (c[0] as { name?: string }).name === 'PBKDF2')
      .map((c) => (c[0] as { iterations: number }).iterations);
    spy.mockRestore();
    expect(iterations.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...iterations)).toBeLessThanOrEqual(PBKDF2_MAX_ITERATIONS);
  });
});

describe('session cookies for browsers', () => {
  function cookiesOf(res: Response): Map<string, string> {
    const map = new Map<string, string>();
    for (const line of res.headers.getSetCookie()) map.set(line.slice(0, line.indexOf('=')), line);
    return map;
  }
  const cookieValue = (line: string | undefined) => line?.slice(line.indexOf('=') + 1, line.indexOf(';')) ?? '';

  it('puts the tokens in HttpOnly __Host- cookies and not in the body when asked', async () => {
    const { email, password } = await createUser();
    const res = await call('/auth/login', { json: { email, password, cookie: true } });
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toEqual({ tokenType: 'Cookie', expiresIn: 900 });
    const cookies = cookiesOf(res);
    const access = cookies.get('__Host-onasis_at') ?? '';
    const refresh = cookies.get('__Host-onasis_rt') ?? '';
    for (const line of [access, refresh]) {
      expect(line).toMatch(/; Path=\//);
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; HttpOnly/);
      expect(line).not.toMatch(/Domain=/i);
    }
    expect(access).toMatch(/SameSite=Lax/);
    expect(refresh).toMatch(/SameSite=Strict/);
    expect(cookieValue(access).split('.')).toHaveLength(3);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refreshes from the refresh cookie, rotating it, and signs out by expiring both', async () => {
    const { email, password } = await createUser();
    const login = await call('/auth/login', { json: { email, password, cookie: true } });
    const first = cookieValue(cookiesOf(login).get('__Host-onasis_rt'));
    const refreshed = await call('/auth/refresh', { json: {}, headers: { cookie: `__Host-onasis_rt=${first}` } });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toEqual({ tokenType: 'Cookie', expiresIn: 900 });
    const second = cookieValue(cookiesOf(refreshed).get('__Host-onasis_rt'));
    expect(second).not.toBe(first);
    // A retry with the spent cookie (a lost answer) gets the same successor back.
    const retried = await call('/auth/refresh', { json: {}, headers: { cookie: `__Host-onasis_rt=${first}` } });
    expect(retried.status).toBe(200);
    expect(cookieValue(cookiesOf(retried).get('__Host-onasis_rt'))).toBe(second);
    const missing = await call('/auth/refresh', { json: {} });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'INVALID_REFRESH_TOKEN' });

    const claims = JSON.parse(atob(cookieValue(cookiesOf(login).get('__Host-onasis_at')).split('.')[1] ?? '')) as {
      sub: string;
      sid: string;
    };
    const principal = { userId: claims.sub, sessionId: claims.sid, permissions: [], via: 'access_token' as const };
    const logout = await call('/auth/logout', { method: 'POST' }, { principal });
    expect(logout.status).toBe(204);
    const cleared = cookiesOf(logout);
    expect(cleared.get('__Host-onasis_at')).toMatch(/Max-Age=0/);
    expect(cleared.get('__Host-onasis_rt')).toMatch(/Max-Age=0/);
  });
});
