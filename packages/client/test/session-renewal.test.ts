import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signedInClient } from './support/clients.js';
import type { PlatformServer } from './support/platform-server.js';
import { PASSWORD, startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

describe('session renewal', () => {
  it('keeps the session when the refresh fails without a verdict, and the waiting calls learn why', async () => {
    const onSessionExpired = vi.fn();
    const { client } = await signedInClient(server, { onSessionExpired, retry: { retries: 0 } });
    server.store.expireAccessTokens();
    server.script('POST /auth/refresh', { status: 503, headers: { 'retry-after': '1' }, body: { code: 'X' } });

    await expect(client.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 503 });
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(client.tokens()).not.toBeNull();
    await expect(client.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_ada' });
    expect(server.seen('POST /auth/refresh')).toHaveLength(2);
  });

  it('does not refresh on a 401 that is about the request, not the session', async () => {
    const { client } = await signedInClient(server);
    await expect(client.POST('/auth/mfa/totp/disable', { body: { code: '000000' } })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_MFA_CODE',
    });
    expect(server.seen('POST /auth/refresh')).toHaveLength(0);
    expect(server.seen('POST /auth/mfa/totp/disable')).toHaveLength(1);
  });

  it('refreshes on demand through refresh(), which resolves false once the session is over', async () => {
    const { client } = await signedInClient(server);
    const first = client.tokens();
    await expect(client.refresh()).resolves.toBe(true);
    expect(client.tokens()?.refreshToken).not.toBe(first?.refreshToken);
    await client.signOut();
    await expect(client.refresh()).resolves.toBe(false);
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
  });

  it('keeps the tokens of a sign-in that happened while a refresh was out', async () => {
    const { client } = await signedInClient(server);
    server.store.expireAccessTokens();
    const release = server.hold('POST /auth/refresh');
    const call = client.GET('/api/v1/users/me');
    await vi.waitFor(() => expect(server.seen('POST /auth/refresh')).toHaveLength(1));
    await client.signIn({ email: 'ada@example.com', password: PASSWORD });
    const fresh = client.tokens();
    release();

    await expect(call).resolves.toMatchObject({ id: 'usr_ada' });
    expect(client.tokens()).toEqual(fresh);
    expect(server.seen('GET /api/v1/users/me').at(-1)?.authorization).toBe(`Bearer ${fresh?.accessToken}`);
  });
});
