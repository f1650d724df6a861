import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OnasisError } from '../src/errors.js';
import { signedInClient } from './support/clients.js';
import { cookieJarFetch } from './support/cookie-jar.js';
import type { PlatformServer } from './support/platform-server.js';
import { startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

/** Ten calls on an expired token, with the refresh held until all ten were refused. */
async function tenCallsOnExpiredToken(client: Awaited<ReturnType<typeof signedInClient>>['client']) {
  server.store.expireAccessTokens();
  const release = server.hold('POST /auth/refresh');
  const calls = Array.from({ length: 10 }, () => client.GET('/api/v1/users/me'));
  await vi.waitFor(() => {
    expect(server.seen('GET /api/v1/users/me')).toHaveLength(10);
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
  });
  release();
  return Promise.allSettled(calls);
}

describe('refresh-token rotation (bearer mode)', () => {
  it('sends one refresh for ten parallel calls on an expired token, and all ten succeed with the new token', async () => {
    const onTokens = vi.fn();
    const { client } = await signedInClient(server, { onTokens });
    const before = client.tokens();
    const results = await tenCallsOnExpiredToken(client);

    expect(results.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'));
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    expect(server.seen('POST /auth/refresh')[0]?.body).toEqual({ refreshToken: before?.refreshToken });
    const now = client.tokens();
    expect(now?.accessToken).not.toBe(before?.accessToken);
    const resent = server.seen('GET /api/v1/users/me').slice(10);
    expect(resent.map((s) => s.authorization)).toEqual(Array(10).fill(`Bearer ${now?.accessToken}`));
    expect(onTokens).toHaveBeenLastCalledWith(now);
  });

  it('rejects every waiting call with the 401 and reports the expiry once when the refresh is refused', async () => {
    const onSessionExpired = vi.fn();
    const onTokens = vi.fn();
    const { client } = await signedInClient(server, { onSessionExpired, onTokens });
    server.script('POST /auth/refresh', {
      status: 401,
      body: { code: 'REFRESH_TOKEN_REUSED', status: 401, title: 'Reused', requestId: 'req_r', type: 'about:blank' },
    });
    const results = await tenCallsOnExpiredToken(client);

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const err = (result as PromiseRejectedResult).reason as OnasisError;
      expect(err).toBeInstanceOf(OnasisError);
      expect([err.status, err.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(onTokens).toHaveBeenLastCalledWith(null);
    expect(client.tokens()).toBeNull();

    // A call after the verdict does not present the spent refresh token again.
    await expect(client.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401 });
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it('retries without a second refresh a call sent with the old token whose 401 comes after the refresh', async () => {
    const { client } = await signedInClient(server);
    server.store.expireAccessTokens();
    const old = client.tokens()?.accessToken;
    const release = server.hold('GET /api/v1/users/me');
    const straggler = client.GET('/api/v1/users/me');
    await vi.waitFor(() => expect(server.seen('GET /api/v1/users/me')).toHaveLength(1));

    const jobs = await client.GET('/api/v1/jobs');
    expect(jobs.data).toHaveLength(20);
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    release();

    await expect(straggler).resolves.toEqual({ id: 'usr_ada', roles: ['member'] });
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    const sent = server.seen('GET /api/v1/users/me').map((s) => s.authorization);
    expect(sent).toEqual([`Bearer ${old}`, `Bearer ${client.tokens()?.accessToken}`]);
  });
});

describe('refresh-token rotation (cookie mode)', () => {
  it('sends one refresh from the cookie for ten parallel calls, and all ten succeed', async () => {
    const browser = cookieJarFetch();
    const { client } = await signedInClient(server, { session: 'cookie', fetch: browser.fetch });
    const before = browser.jar.get('__Host-onasis_rt');
    const results = await tenCallsOnExpiredToken(client);

    expect(results.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'));
    const [refresh] = server.seen('POST /auth/refresh');
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    expect(refresh?.body).toEqual({ cookie: true });
    expect(refresh?.cookie).toContain(`__Host-onasis_rt=${before}`);
    expect(browser.jar.get('__Host-onasis_rt')).not.toBe(before);
    expect(client.tokens()).toBeNull();
    expect(server.seen().every((s) => s.authorization === undefined)).toBe(true);
  });

  it('reports the expiry once when the cookie refresh is refused', async () => {
    const onSessionExpired = vi.fn();
    const browser = cookieJarFetch();
    const { client } = await signedInClient(server, { session: 'cookie', fetch: browser.fetch, onSessionExpired });
    server.store.revokedFamilies.add(1);
    const results = await tenCallsOnExpiredToken(client);

    expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    await expect(client.GET('/api/v1/jobs')).rejects.toMatchObject({ status: 401 });
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
  });
});
