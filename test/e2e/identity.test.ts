import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { bearer, emailTo, jsonRequest, registeredUser, type Tokens, uniqueEmail } from './support/identity.js';

describe('account lifecycle through the gateway', () => {
  const password = 'an end to end passphrase';
  const email = uniqueEmail('life');
  let userId = '';
  let tokens: Tokens;

  it('registers, and the verification email reaches the notifications sandbox', async () => {
    const res = await api('/auth/register', jsonRequest('POST', { email, password, name: 'E2E' }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ email });
    // Register names no account: the id comes from signing in, which an unverified account may do.
    const login = (await (await api('/auth/login', jsonRequest('POST', { email, password }))).json()) as Tokens;
    const me = await api('/api/v1/users/me', { headers: bearer(login.accessToken) });
    const user = (await me.json()) as { id: string; emailVerified: boolean };
    expect(user.emailVerified).toBe(false);
    userId = user.id;
    // A taken address gets the same answer, so it tells nobody that the account exists.
    const again = await api('/auth/register', jsonRequest('POST', { email, password }));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ email });
  });

  it('verifies the address with the emailed token, once', async () => {
    const email = await emailTo(userId, 'identity.verify-email');
    // The link leads to the app's verification page, which posts the token to the API as done here.
    expect(email.link.pathname).toBe('/verify-email');
    expect(email.html).toContain(email.link.search.replaceAll('&', '&amp;'));
    const { token } = email;
    const res = await api('/auth/verify-email', jsonRequest('POST', { token }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ emailVerified: true });
    await expectProblem(await api('/auth/verify-email', jsonRequest('POST', { token })), 400, 'INVALID_TOKEN');
  });

  it('signs in and reads its own account with the access token', async () => {
    await expectProblem(
      await api('/auth/login', jsonRequest('POST', { email, password: 'wrong password' })),
      401,
      'INVALID_CREDENTIALS',
    );
    const res = await api('/auth/login', jsonRequest('POST', { email, password }));
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"login";q=1000;w=60');
    expect(res.headers.get('ratelimit')).toMatch(/^"login";r=\d+;t=\d+$/);
    tokens = (await res.json()) as Tokens;
    const me = await api('/api/v1/users/me', { headers: bearer(tokens.accessToken) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: userId, email, emailVerified: true });
    await expectProblem(await api('/api/v1/users/me'), 401, 'UNAUTHENTICATED');
  });

  it('refreshes, answers a retry alike, and a token replayed far behind revokes the session', async () => {
    const refresh = (refreshToken: string) => api('/auth/refresh', jsonRequest('POST', { refreshToken }));
    const res = await refresh(tokens.refreshToken);
    expect(res.status).toBe(200);
    let next = (await res.json()) as Tokens;
    // A client that lost the answer and retries at once gets the same successor, not a revoked session.
    const retried = await refresh(tokens.refreshToken);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as Tokens).refreshToken).toBe(next.refreshToken);
    // Many rotations later the first token is no retry: whoever presents it holds a copy.
    for (let i = 0; i < 6; i++) {
      const rotated = await refresh(next.refreshToken);
      expect(rotated.status).toBe(200);
      next = (await rotated.json()) as Tokens;
    }
    await expectProblem(await refresh(tokens.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    await expectProblem(await refresh(next.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    // The access token of the revoked session stops working at the gateway within its cache window.
    const deadline = Date.now() + 35_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await api('/api/v1/users/me', { headers: bearer(next.accessToken) })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(status).toBe(401);
  }, 45_000);

  it('logs out: the session ends at once for the gateway that saw the logout', async () => {
    const res = await api('/auth/login', jsonRequest('POST', { email, password }));
    const fresh = (await res.json()) as Tokens;
    expect((await api('/api/v1/users/me', { headers: bearer(fresh.accessToken) })).status).toBe(200);
    expect((await api('/auth/logout', { method: 'POST', headers: bearer(fresh.accessToken) })).status).toBe(204);
    await expectProblem(await api('/api/v1/users/me', { headers: bearer(fresh.accessToken) }), 401, 'UNAUTHENTICATED');
    await expectProblem(
      await api('/auth/refresh', jsonRequest('POST', { refreshToken: fresh.refreshToken })),
      401,
      'INVALID_REFRESH_TOKEN',
    );
  });
});

describe('the seeded admin', () => {
  it('signs in and lists users, which a member cannot', async () => {
    const res = await api(
      '/auth/login',
      jsonRequest('POST', { email: 'admin@onasis.local', password: 'e2e-admin-password' }),
    );
    expect(res.status).toBe(200);
    const admin = (await res.json()) as Tokens;
    const list = await api('/api/v1/users?limit=5', { headers: bearer(admin.accessToken) });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const audit = await api('/api/v1/audit-logs/verify', { headers: bearer(admin.accessToken) });
    expect(audit.status).toBe(200);
    expect(await audit.json()).toMatchObject({ valid: true });
  });
});

describe('password reset through the emailed link', () => {
  it('sends the reset email to the sandbox, and its link sets a new password once', async () => {
    const user = await registeredUser('the first passphrase');
    expect((await api('/auth/password/forgot', jsonRequest('POST', { email: user.email.toUpperCase() }))).status).toBe(
      202,
    );
    const email = await emailTo(user.id, 'identity.reset-password');
    expect(email.subject).toBe('Reset your password');
    expect(email.link.pathname).toBe('/reset-password');
    const password = 'the second passphrase';
    const reset = await api('/auth/password/reset', jsonRequest('POST', { token: email.token, password }));
    expect(reset.status).toBe(204);
    await expectProblem(
      await api('/auth/password/reset', jsonRequest('POST', { token: email.token, password: 'a third passphrase' })),
      400,
      'INVALID_TOKEN',
    );
    await expectProblem(
      await api('/auth/login', jsonRequest('POST', { email: user.email, password: user.password })),
      401,
      'INVALID_CREDENTIALS',
    );
    expect((await api('/auth/login', jsonRequest('POST', { email: user.email, password }))).status).toBe(200);
  });
});
