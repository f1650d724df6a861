import { Secret, TOTP } from 'otpauth';
import { describe, expect, inject, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { bearer, jsonRequest, registeredUser, type Tokens, uniqueEmail } from './support/identity.js';

/** The current code of a TOTP secret, as an authenticator app shows it. */
function codeOf(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

describe('MFA through the gateway', () => {
  it('enrolls TOTP, then sign-in needs a code, and a code works once', async () => {
    const user = await registeredUser();
    const auth = bearer(user.tokens.accessToken);
    const enroll = await api('/auth/mfa/totp/enroll', { method: 'POST', headers: auth });
    expect(enroll.status).toBe(200);
    const { secret, otpauthUri } = (await enroll.json()) as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const confirm = await api('/auth/mfa/totp/confirm', jsonRequest('POST', { code: codeOf(secret) }, auth));
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);

    const login = await api('/auth/login', jsonRequest('POST', { email: user.email, password: user.password }));
    expect(login.status).toBe(200);
    const challenge = (await login.json()) as { mfaRequired: boolean; mfaToken: string };
    expect(challenge.mfaRequired).toBe(true);
    // The confirming code's time step is spent, so the next step's code signs in.
    const verify = await api(
      '/auth/mfa/verify',
      jsonRequest('POST', { mfaToken: challenge.mfaToken, code: codeOf(secret, 1) }),
    );
    expect(verify.status).toBe(200);
    const tokens = (await verify.json()) as Tokens;
    const me = await api('/api/v1/users/me', { headers: bearer(tokens.accessToken) });
    expect(await me.json()).toMatchObject({ id: user.id, mfaEnabled: true });

    const again = await api('/auth/login', jsonRequest('POST', { email: user.email, password: user.password }));
    const second = (await again.json()) as { mfaToken: string };
    await expectProblem(
      await api('/auth/mfa/verify', jsonRequest('POST', { mfaToken: second.mfaToken, code: codeOf(secret, 1) })),
      401,
      'INVALID_MFA_CODE',
    );
    const recovered = await api(
      '/auth/mfa/verify',
      jsonRequest('POST', { mfaToken: second.mfaToken, code: recoveryCodes[0] }),
    );
    expect(recovered.status).toBe(200);
  });
});

describe('social login through the gateway', () => {
  it('signs a new user in with the local OpenID provider and links the same account next time', async () => {
    const email = uniqueEmail('social');
    const claims = { sub: `sub-${email}`, email, email_verified: true, name: 'Social User' };
    const signIn = async (): Promise<Tokens> => {
      const authorize = await api('/auth/oauth/e2e/authorize');
      expect(authorize.status).toBe(302);
      const cookie = (authorize.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const toProvider = new URL(authorize.headers.get('location') ?? '');
      expect(toProvider.origin).toBe(inject('oidcIssuer'));
      expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
      expect(toProvider.searchParams.get('nonce')).toBeTruthy();
      toProvider.searchParams.set('login_as', JSON.stringify(claims));
      const atProvider = await fetch(toProvider, { redirect: 'manual' });
      const back = new URL(atProvider.headers.get('location') ?? '');
      // The provider sends the browser to ISSUER's callback; this run's gateway listens on another port.
      const callback = await api(`${back.pathname}${back.search}`, { headers: { cookie } });
      expect(callback.status).toBe(200);
      return (await callback.json()) as Tokens;
    };
    const first = await signIn();
    const me = (await (await api('/api/v1/users/me', { headers: bearer(first.accessToken) })).json()) as {
      id: string;
      email: string;
      emailVerified: boolean;
    };
    expect(me).toMatchObject({ email, emailVerified: true });
    const second = await signIn();
    const again = (await (await api('/api/v1/users/me', { headers: bearer(second.accessToken) })).json()) as {
      id: string;
    };
    expect(again.id).toBe(me.id);
  });

  it('refuses a callback without the state cookie of the browser that started it', async () => {
    const authorize = await api('/auth/oauth/e2e/authorize');
    const toProvider = new URL(authorize.headers.get('location') ?? '');
    toProvider.searchParams.set('login_as', JSON.stringify({ email: uniqueEmail('csrf'), email_verified: true }));
    const back = new URL((await fetch(toProvider, { redirect: 'manual' })).headers.get('location') ?? '');
    await expectProblem(await api(`${back.pathname}${back.search}`), 400, 'OAUTH_FAILED');
  });
});
