import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { sha256Hex } from '../src/services/crypto.js';
import { clientSecretName, oauthProviders } from '../src/services/oauth-config.js';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, uniqueEmail, waitForMessages } from './helpers.js';
import type { MockLogin } from './oidc-provider.global.js';

// APP_URL and ISSUER of the identity Worker's wrangler.toml.
const APP = 'http://localhost:8787';
const issuer = inject('oauthIssuer');

interface Started {
  location: URL;
  cookie: string;
  setCookie: string;
  state: string;
}

/** Starts a login at identity: the provider URL it redirects to and the cookie that binds the login to the browser. */
async function start(provider = 'mock', redirectTo?: string): Promise<Started> {
  const query = redirectTo === undefined ? '' : `?redirect_to=${encodeURIComponent(redirectTo)}`;
  const res = await call(`/auth/oauth/${provider}/authorize${query}`);
  expect(res.status, await res.clone().text()).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  const setCookie = res.headers.get('set-cookie') ?? '';
  return {
    location,
    setCookie,
    cookie: setCookie.split(';')[0] ?? '',
    state: location.searchParams.get('state') ?? '',
  };
}

/** Signs in at the provider as `login` and returns identity's callback path (with code and state) it sends back to. */
async function atProvider(location: URL, login: MockLogin): Promise<string> {
  const url = new URL(location);
  url.searchParams.set('login_as', JSON.stringify(login));
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location') ?? '');
  expect(back.origin).toBe(APP);
  return back.pathname + back.search;
}

/** The whole flow in a browser: authorize, the provider, the callback with the cookie. */
async function signIn(login: MockLogin, options: { provider?: string; redirectTo?: string } = {}): Promise<Response> {
  const started = await start(options.provider, options.redirectTo);
  return call(await atProvider(started.location, login), { headers: { cookie: started.cookie } });
}

/** A person at the provider with a verified address. */
function person(label = 'social'): { sub: string; email: string } {
  return { sub: `sub-${crypto.randomUUID()}`, email: uniqueEmail(label) };
}

async function tokensOf(res: Response): Promise<{ accessToken: string; refreshToken: string; userId: string }> {
  expect(res.status, await res.clone().text()).toBe(200);
  const body = await res.json<{ accessToken: string; refreshToken: string; tokenType: string; expiresIn: number }>();
  expect(body.tokenType).toBe('Bearer');
  expect(body.expiresIn).toBeGreaterThan(0);
  return { ...body, userId: decodeJwt(body.accessToken).sub ?? '' };
}

async function auditOf(userId: string): Promise<Array<{ action: string; outcome: string; data: unknown }>> {
  const { results } = await env.DB.prepare(
    'SELECT action, outcome, data FROM audit_logs WHERE target_id = ? ORDER BY seq',
  )
    .bind(userId)
    .all<{ action: string; outcome: string; data: string | null }>();
  return results.map((r) => ({ ...r, data: r.data === null ? null : JSON.parse(r.data) }));
}

async function expectFailure(res: Response, code = 'OAUTH_FAILED'): Promise<string> {
  const problem = await problemOf(res);
  expect(problem.code).toBe(code);
  return problem.detail ?? '';
}

/** Whether identity still holds the pending login of `state`. */
const pending = async (state: string) =>
  (await env.DB.prepare('SELECT 1 FROM oauth_states WHERE state_hash = ?')
    .bind(await sha256Hex(state))
    .first()) !== null;

const usersWithEmail = async (email: string) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?')
      .bind(email.toLowerCase())
      .first<{ n: number }>()
  )?.n;

describe('GET /auth/oauth/{provider}/authorize', () => {
  it('redirects to the provider with PKCE S256, state, nonce and the callback, and binds the login to the browser', async () => {
    const { location, setCookie, state } = await start('mock');
    expect(`${location.origin}${location.pathname}`).toBe(`${issuer}/authorize`);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('onasis-test');
    expect(q.get('redirect_uri')).toBe(`${APP}/auth/oauth/mock/callback`);
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Over http (local) the cookie cannot carry the __Host- prefix; it is scoped to the OAuth paths instead.
    expect(setCookie).toContain(`onasis_oauth=${state}`);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Max-Age=600/i);
    expect(setCookie).toMatch(/Path=\/auth\/oauth/i);

    const row = await env.DB.prepare('SELECT * FROM oauth_states WHERE state_hash = ?')
      .bind(await sha256Hex(state))
      .first<{ provider: string; code_verifier: string; nonce: string; expires_at: string }>();
    expect(row?.provider).toBe('mock');
    expect(row?.nonce).toBe(q.get('nonce'));
    expect(row?.code_verifier).not.toBe(q.get('code_challenge'));
    const ttl = Date.parse(row?.expires_at ?? '') - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    // Only the hash of the state is stored.
    expect(await env.DB.prepare('SELECT 1 FROM oauth_states WHERE state_hash = ?').bind(state).first()).toBeNull();
  });

  it('answers 404 for a provider that is not configured, or whose configuration is invalid', async () => {
    for (const path of ['/auth/oauth/nope/authorize', '/auth/oauth/broken/authorize', '/auth/oauth/nope/callback']) {
      const res = await call(path);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('NOT_FOUND');
    }
  });

  it('refuses a redirect_to outside the client app (no open redirect)', async () => {
    for (const target of [
      'https://evil.example/cb',
      '/relative',
      '//evil.example/cb',
      'javascript:alert(1)',
      `${APP}.evil.example/`,
    ]) {
      const res = await call(`/auth/oauth/mock/authorize?redirect_to=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors?.[0]?.path).toBe('query.redirect_to');
      expect(res.headers.get('location')).toBeNull();
    }
  });
});

describe('GET /auth/oauth/{provider}/callback', () => {
  it('creates a verified member without a password, linked to the provider account, and signs them in', async () => {
    const who = person();
    const started = await start();
    const callback = await atProvider(started.location, {
      claims: { ...who, email: who.email.toUpperCase(), name: 'Ada Lovelace' },
    });
    const res = await call(callback, { headers: { cookie: started.cookie } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toMatch(/onasis_oauth=;.*Max-Age=0/i);
    const { userId, accessToken } = await tokensOf(res);
    expect(userId).toMatch(/^usr_/);
    expect(decodeJwt(accessToken).permissions).toEqual(expect.any(Array));

    const user = await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(userId).first<{
      email: string;
      email_verified_at: string | null;
      password_hash: string | null;
      name: string | null;
      status: string;
    }>();
    expect(user).toMatchObject({ email: who.email, password_hash: null, name: 'Ada Lovelace', status: 'active' });
    expect(user?.email_verified_at).not.toBeNull();
    const roles = await env.DB.prepare('SELECT role FROM user_roles WHERE user_id = ?').bind(userId).all();
    expect(roles.results).toEqual([{ role: 'member' }]);
    const account = await env.DB.prepare('SELECT * FROM oauth_accounts WHERE provider = ? AND subject = ?')
      .bind('mock', who.sub)
      .first<{ user_id: string; email: string }>();
    expect(account).toMatchObject({ user_id: userId, email: who.email });

    const sessions = await sessionsOf(env, userId).list();
    expect(sessions.map((s) => s.method)).toEqual(['oauth:mock']);
    expect(sessions[0]?.ip).toBe('203.0.113.7');
    const log = await auditOf(userId);
    expect(log.map((e) => e.action)).toEqual(['user.registered', 'user.login']);
    expect(log[1]).toMatchObject({ outcome: 'success', data: { method: 'oauth:mock' } });
    expect(await pending(started.state)).toBe(false);
  });

  it('signs a returning provider account in as the same user', async () => {
    const who = person();
    const first = await tokensOf(await signIn({ claims: who }));
    const second = await tokensOf(await signIn({ claims: { ...who, name: 'Renamed' } }));
    expect(second.userId).toBe(first.userId);
    expect(await usersWithEmail(who.email)).toBe(1);
    expect((await sessionsOf(env, first.userId).list()).length).toBe(2);
    const linked = await env.DB.prepare('SELECT last_used_at FROM oauth_accounts WHERE subject = ?')
      .bind(who.sub)
      .first<{ last_used_at: string | null }>();
    expect(linked?.last_used_at).not.toBeNull();
  });

  it('links the provider account to an existing user with the same verified email, keeping their password', async () => {
    const existing = await createUser({ email: uniqueEmail('pw') });
    const who = { sub: `sub-${crypto.randomUUID()}`, email: ` ${existing.email.toUpperCase()} ` };
    const { userId } = await tokensOf(await signIn({ claims: who }));
    expect(userId).toBe(existing.id);
    expect(await usersWithEmail(existing.email)).toBe(1);
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(existing.id).first();
    expect(row?.password_hash).not.toBeNull();
    const log = await auditOf(existing.id);
    expect(log.map((e) => e.action)).toEqual(['oauth.linked', 'user.login']);
    expect(log[0]?.data).toEqual({ method: 'oauth:mock', claimed: false, apiKeysRevoked: [] });
    // The link holds: the next login finds the user through the provider account.
    expect((await tokensOf(await signIn({ claims: who }))).userId).toBe(existing.id);
  });

  it('claims an account whose email was never verified: its password, sessions and API keys are dropped', async () => {
    const squatter = await createUser({ email: uniqueEmail('squat'), verified: false });
    const { sessionId } = await sessionsOf(env, squatter.id).createSession({
      ip: null,
      userAgent: null,
      method: 'password',
    });
    // A key made before keys needed a verified address.
    const keyId = `apk_${crypto.randomUUID().replaceAll('-', '')}`;
    await env.DB.prepare(
      "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes) VALUES (?, ?, 'squat', 'onk_squatter', ?, '[]')",
    )
      .bind(keyId, squatter.id, crypto.randomUUID())
      .run();
    const { userId } = await tokensOf(
      await signIn({ claims: { sub: `sub-${crypto.randomUUID()}`, email: squatter.email } }),
    );
    expect(userId).toBe(squatter.id);
    const row = await env.DB.prepare('SELECT password_hash, email_verified_at FROM users WHERE id = ?')
      .bind(squatter.id)
      .first<{ password_hash: string | null; email_verified_at: string | null }>();
    expect(row?.password_hash).toBeNull();
    expect(row?.email_verified_at).not.toBeNull();
    expect(await sessionsOf(env, squatter.id).isActive(sessionId)).toBe(false);
    expect((await auditOf(squatter.id))[0]).toMatchObject({
      action: 'oauth.linked',
      data: { claimed: true, apiKeysRevoked: [keyId] },
    });
    const key = await env.DB.prepare('SELECT revoked_at FROM api_keys WHERE id = ?')
      .bind(keyId)
      .first<{ revoked_at: string | null }>();
    expect(key?.revoked_at).not.toBeNull();
    await waitForMessages('onasis-user-events', (all) =>
      all.some((m) => m.type === 'user.account-claimed' && m.userId === squatter.id),
    );
  });

  it('answers with a redirect to redirect_to carrying the tokens in the fragment', async () => {
    const res = await signIn({ claims: person() }, { redirectTo: `${APP}/signed-in?next=%2Fhome#old` });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '');
    expect(`${to.origin}${to.pathname}${to.search}`).toBe(`${APP}/signed-in?next=%2Fhome`);
    const fragment = new URLSearchParams(to.hash.slice(1));
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(Number(fragment.get('expires_in'))).toBeGreaterThan(0);
    expect(fragment.get('refresh_token')).toMatch(/^usr_/);
    const userId = decodeJwt(fragment.get('access_token') ?? '').sub;
    expect(userId).toMatch(/^usr_/);
    // The refresh token works.
    const refreshed = await call('/auth/refresh', { json: { refreshToken: fragment.get('refresh_token') } });
    expect(refreshed.status).toBe(200);
  });

  it('asks for the second factor of a user with MFA instead of signing them in', async () => {
    const existing = await createUser({ email: uniqueEmail('mfa') });
    await env.DB.prepare(
      "INSERT INTO mfa_factors (user_id, secret_encrypted, confirmed_at) VALUES (?, 'sealed', '2026-01-01T00:00:00Z')",
    )
      .bind(existing.id)
      .run();
    const res = await signIn({ claims: { sub: `sub-${crypto.randomUUID()}`, email: existing.email } });
    expect(res.status).toBe(200);
    const body = await res.json<{ mfaRequired: boolean; mfaToken: string; accessToken?: string }>();
    expect(body.mfaRequired).toBe(true);
    expect(body.mfaToken.startsWith(`${existing.id}.`)).toBe(true);
    expect(body.accessToken).toBeUndefined();
    expect(await sessionsOf(env, existing.id).list()).toEqual([]);
  });

  it('refuses a disabled user with 403 ACCOUNT_DISABLED', async () => {
    const who = person('disabled');
    const { userId } = await tokensOf(await signIn({ claims: who }));
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(userId).run();
    await expectFailure(await signIn({ claims: who }), 'ACCOUNT_DISABLED');
    const log = await auditOf(userId);
    expect(log.at(-1)).toMatchObject({
      action: 'user.login',
      outcome: 'failure',
      data: { reason: 'ACCOUNT_DISABLED' },
    });
  });

  it('refuses an email the provider did not verify, and creates nobody', async () => {
    for (const emailVerified of [false, null, 'true']) {
      const who = person('unverified');
      const res = await signIn({ claims: { ...who, email_verified: emailVerified } });
      expect(await expectFailure(res)).toMatch(/not confirm that the email address is verified/);
      expect(await usersWithEmail(who.email)).toBe(0);
    }
    const failures = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE action = 'user.login' AND outcome = 'failure'",
    ).first('n');
    expect(failures).toBeGreaterThanOrEqual(3);
  });

  it('refuses an ID token whose nonce is not the one of this login', async () => {
    const who = person();
    await expectFailure(await signIn({ claims: { ...who, nonce: 'another-nonce' } }));
    expect(await usersWithEmail(who.email)).toBe(0);
  });

  it('refuses an ID token signed by a key the provider does not publish', async () => {
    const who = person();
    await expectFailure(await signIn({ claims: who, foreignKey: true }));
    expect(await usersWithEmail(who.email)).toBe(0);
  });

  it('refuses an ID token for another client or from another issuer', async () => {
    for (const claims of [{ aud: 'someone-else' }, { iss: 'https://accounts.google.com' }]) {
      const who = person();
      await expectFailure(await signIn({ claims: { ...who, ...claims } }));
      expect(await usersWithEmail(who.email)).toBe(0);
    }
  });

  it('refuses a state that was already spent, or that identity never issued', async () => {
    const started = await start();
    const callback = await atProvider(started.location, { claims: person() });
    await tokensOf(await call(callback, { headers: { cookie: started.cookie } }));
    expect(await expectFailure(await call(callback, { headers: { cookie: started.cookie } }))).toMatch(/already/);

    const forged = 'A'.repeat(43);
    const res = await call(`/auth/oauth/mock/callback?code=x&state=${forged}`, {
      headers: { cookie: `onasis_oauth=${forged}` },
    });
    await expectFailure(res);
  });

  it('refuses a callback without the cookie of the browser that started the login (login CSRF)', async () => {
    const started = await start();
    const callback = await atProvider(started.location, { claims: person() });
    await expectFailure(await call(callback));
    const other = await start();
    await expectFailure(await call(callback, { headers: { cookie: other.cookie } }));
    // The victim's refusal does not spend the attacker's login, nor does it count as a sign-in attempt.
    expect(await pending(started.state)).toBe(true);
  });

  it('refuses a login that took longer than 10 minutes', async () => {
    const started = await start();
    const callback = await atProvider(started.location, { claims: person() });
    await env.DB.prepare('UPDATE oauth_states SET expires_at = ? WHERE state_hash = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), await sha256Hex(started.state))
      .run();
    expect(await expectFailure(await call(callback, { headers: { cookie: started.cookie } }))).toMatch(/expired/);
  });

  it('answers an error from the provider with 400 OAUTH_FAILED and spends the state', async () => {
    const { state, cookie } = await start();
    const res = await call(`/auth/oauth/mock/callback?error=access_denied&state=${state}`, { headers: { cookie } });
    expect(await expectFailure(res)).toBe('The login provider answered access_denied.');
    expect(await pending(state)).toBe(false);
  });
});

describe('GitHub', () => {
  const account = (emails: Array<{ email: string; primary: boolean; verified: boolean }>) => ({
    id: Math.floor(Math.random() * 1e9),
    login: `octo-${crypto.randomUUID().slice(0, 6)}`,
    name: null,
    emails,
  });

  it('signs in through the REST API with the primary verified email (no ID token, no nonce)', async () => {
    const email = uniqueEmail('gh');
    const github = account([
      { email: uniqueEmail('other'), primary: false, verified: true },
      { email, primary: true, verified: true },
    ]);
    const started = await start('gh');
    expect(`${started.location.origin}${started.location.pathname}`).toBe(`${issuer}/login/oauth/authorize`);
    expect(started.location.searchParams.get('scope')).toBe('read:user user:email');
    expect(started.location.searchParams.get('nonce')).toBeNull();
    const callback = await atProvider(started.location, { github });
    const { userId } = await tokensOf(await call(callback, { headers: { cookie: started.cookie } }));
    const user = await env.DB.prepare('SELECT email, name FROM users WHERE id = ?').bind(userId).first();
    expect(user).toEqual({ email, name: github.login });
    const linked = await env.DB.prepare('SELECT subject FROM oauth_accounts WHERE provider = ? AND user_id = ?')
      .bind('gh', userId)
      .first('subject');
    expect(linked).toBe(String(github.id));
    expect((await sessionsOf(env, userId).list())[0]?.method).toBe('oauth:gh');
  });

  it('refuses an account whose primary email is not verified', async () => {
    const email = uniqueEmail('gh-unverified');
    const github = account([{ email, primary: true, verified: false }]);
    await expectFailure(await signIn({ github }, { provider: 'gh' }));
    expect(await usersWithEmail(email)).toBe(0);
  });
});

describe('OAUTH_PROVIDERS', () => {
  it('keeps the valid entries and leaves out invalid or repeated ones', () => {
    const providers = oauthProviders({
      ...env,
      OAUTH_PROVIDERS: JSON.stringify([
        { id: 'google', type: 'google', clientId: 'g' },
        { id: 'entra', type: 'microsoft', clientId: 'm' },
        { id: 'google', type: 'oidc', clientId: 'dup', issuer: 'https://idp.example.com' },
        { id: 'Bad Id', type: 'oidc', clientId: 'x', issuer: 'https://idp.example.com' },
        { id: 'nope', type: 'saml', clientId: 'x' },
        { id: 'plain', type: 'oidc', clientId: 'x', issuer: 'http://idp.example.com' },
      ]),
    });
    expect([...providers.keys()]).toEqual(['google', 'entra']);
    expect(providers.get('entra')).toMatchObject({ tenant: 'common' });
    expect(oauthProviders({ ...env, OAUTH_PROVIDERS: 'not json' }).size).toBe(0);
  });

  it('names each client secret after its provider id', () => {
    expect(clientSecretName('google')).toBe('OAUTH_GOOGLE_CLIENT_SECRET');
    expect(clientSecretName('my-idp.2')).toBe('OAUTH_MY_IDP_2_CLIENT_SECRET');
  });
});
