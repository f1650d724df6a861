import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOnasisClient } from '../src/client.js';
import { cookieJarFetch } from './support/cookie-jar.js';
import type { PlatformServer } from './support/platform-server.js';
import { MFA_CODE, PASSWORD, startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

describe('sign-in', () => {
  it('signs in with a password and sends the access token on later calls', async () => {
    const onTokens = vi.fn();
    const client = createOnasisClient({ baseUrl: server.url, onTokens });
    await expect(client.signIn({ email: 'ada@example.com', password: PASSWORD })).resolves.toEqual({
      mfaRequired: false,
    });
    const tokens = client.tokens();
    expect(tokens).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.any(String) });
    expect(onTokens).toHaveBeenCalledWith(tokens);

    await expect(client.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_ada' });
    expect(server.seen('GET /api/v1/users/me')[0]?.authorization).toBe(`Bearer ${tokens?.accessToken}`);
    expect(server.seen('POST /auth/login')[0]?.authorization).toBeUndefined();
  });

  it('asks for the second factor, then signs in with it', async () => {
    const client = createOnasisClient({ baseUrl: server.url });
    const first = await client.signIn({ email: 'grace@example.com', password: PASSWORD });
    expect(first).toEqual({ mfaRequired: true, mfaToken: 'mfa_usr_grace' });
    expect(client.tokens()).toBeNull();

    if (!first.mfaRequired) throw new Error('expected an MFA challenge');
    await expect(client.verifyMfa({ mfaToken: first.mfaToken, code: '999999' })).rejects.toMatchObject({
      code: 'INVALID_MFA_CODE',
    });
    await client.verifyMfa({ mfaToken: first.mfaToken, code: MFA_CODE });
    await expect(client.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_grace' });
  });

  it('rejects a wrong password with its problem and tries no refresh', async () => {
    const client = createOnasisClient({ baseUrl: server.url });
    await expect(client.signIn({ email: 'ada@example.com', password: 'nope' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(server.seen('POST /auth/refresh')).toHaveLength(0);
  });

  it('keeps the session in cookies in cookie mode: no token in JavaScript, none in a header', async () => {
    const browser = cookieJarFetch();
    const client = createOnasisClient({ baseUrl: server.url, session: 'cookie', fetch: browser.fetch });
    await client.signIn({ email: 'ada@example.com', password: PASSWORD });

    expect(server.seen('POST /auth/login')[0]?.body).toMatchObject({ cookie: true });
    expect(client.tokens()).toBeNull();
    expect([...browser.jar.keys()].sort()).toEqual(['__Host-onasis_at', '__Host-onasis_rt']);
    await expect(client.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_ada' });
    const [call] = server.seen('GET /api/v1/users/me');
    expect(call?.authorization).toBeUndefined();
    expect(call?.cookie).toContain('__Host-onasis_at=');
  });

  it('carries on with tokens from an earlier sign-in', async () => {
    const first = createOnasisClient({ baseUrl: server.url });
    await first.signIn({ email: 'ada@example.com', password: PASSWORD });
    const again = createOnasisClient({ baseUrl: server.url, tokens: first.tokens() });
    await expect(again.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_ada' });
  });
});

describe('sign-out', () => {
  it('ends the session on the server and forgets the tokens', async () => {
    const onTokens = vi.fn();
    const client = createOnasisClient({ baseUrl: server.url, onTokens });
    await client.signIn({ email: 'ada@example.com', password: PASSWORD });
    const tokens = client.tokens();
    await client.signOut();

    expect(server.seen('POST /auth/logout')[0]?.authorization).toBe(`Bearer ${tokens?.accessToken}`);
    expect(client.tokens()).toBeNull();
    expect(onTokens).toHaveBeenLastCalledWith(null);
    const stolen = createOnasisClient({ baseUrl: server.url, tokens });
    await expect(stolen.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401 });
  });

  it('renews an expired session first so that the server ends it', async () => {
    const client = createOnasisClient({ baseUrl: server.url });
    await client.signIn({ email: 'ada@example.com', password: PASSWORD });
    server.store.expireAccessTokens();
    await client.signOut();
    expect(server.seen('POST /auth/logout').map((s) => s.authorization)).toHaveLength(2);
    expect(server.store.revokedFamilies.size).toBe(1);
  });

  it('resolves when there was no session to end', async () => {
    const client = createOnasisClient({ baseUrl: server.url });
    await expect(client.signOut()).resolves.toBeUndefined();
  });
});

describe('API keys', () => {
  it('sends the key as a bearer token and never refreshes it', async () => {
    const client = createOnasisClient({ baseUrl: server.url, apiKey: 'onk_test_123' });
    await expect(client.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401 });
    expect(server.seen('GET /api/v1/users/me')[0]?.authorization).toBe('Bearer onk_test_123');
    expect(server.seen('POST /auth/refresh')).toHaveLength(0);
  });
});
