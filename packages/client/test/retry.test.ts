import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOnasisClient } from '../src/client.js';
import { OnasisError } from '../src/errors.js';
import { DEFAULT_RETRY, retryDelay, sleep } from '../src/retry.js';
import { recordingClock, signedInClient } from './support/clients.js';
import type { PlatformServer } from './support/platform-server.js';
import { startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: { code: 'X' } });

describe('retries on 429 and 503', () => {
  it('waits the seconds Retry-After names before the next attempt', async () => {
    const { client, delays } = await signedInClient(server);
    server.script('GET /api/v1/users/me', answer(429, { 'retry-after': '3' }), answer(503, { 'retry-after': '1' }));
    await expect(client.GET('/api/v1/users/me')).resolves.toMatchObject({ id: 'usr_ada' });

    expect(delays).toEqual([3000, 1000]);
    expect(server.seen('GET /api/v1/users/me')).toHaveLength(3);
  });

  it('waits until the HTTP date Retry-After names', async () => {
    const now = Date.parse('2026-12-06T09:00:00Z');
    const { clock, delays } = recordingClock(now);
    const client = createOnasisClient({ baseUrl: server.url }, clock);
    server.script('POST /auth/login', answer(503, { 'retry-after': new Date(now + 7000).toUTCString() }));
    await client.signIn({ email: 'ada@example.com', password: 'correct horse battery staple' });

    expect(delays).toEqual([7000]);
  });

  it('backs off exponentially with jitter when no Retry-After is given', async () => {
    const { client, delays } = await signedInClient(server, { retry: { retries: 3, baseDelayMs: 100 } });
    server.script('GET /api/v1/users/me', answer(503), answer(503), answer(429));
    await client.GET('/api/v1/users/me');

    expect(delays).toHaveLength(3);
    [100, 200, 400].forEach((cap, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(cap / 2);
      expect(delays[i]).toBeLessThanOrEqual(cap);
    });
  });

  it('gives up after the last retry with the final answer as the error', async () => {
    const { client, delays } = await signedInClient(server);
    server.script('GET /api/v1/users/me', answer(503), answer(503), answer(503, { 'x-request-id': 'req_last' }));
    const err = (await client.GET('/api/v1/users/me').catch((e: unknown) => e)) as OnasisError;

    expect(err).toBeInstanceOf(OnasisError);
    expect([err.status, err.code]).toEqual([503, 'X']);
    expect(delays).toHaveLength(DEFAULT_RETRY.retries);
    expect(server.seen('GET /api/v1/users/me')).toHaveLength(3);
  });

  it('does not retry when Retry-After asks for longer than maxDelayMs', async () => {
    const { client, delays } = await signedInClient(server, { retry: { maxDelayMs: 5000 } });
    server.script('GET /api/v1/users/me', answer(429, { 'retry-after': '60' }));
    await expect(client.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 429 });
    expect(delays).toEqual([]);
  });

  it.each([400, 403, 404, 409, 422, 500, 502])('never retries a %i', async (status) => {
    const { client, delays } = await signedInClient(server);
    server.script('POST /api/v1/jobs', answer(status, { 'retry-after': '1' }));
    await expect(client.POST('/api/v1/jobs', { body: { type: 'x' } })).rejects.toMatchObject({ status });
    expect(server.seen('POST /api/v1/jobs')).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('leaves a sign-in lockout (429) to the user instead of sending the password again', async () => {
    const { clock, delays } = recordingClock();
    const client = createOnasisClient({ baseUrl: server.url }, clock);
    server.script('POST /auth/login', answer(429, { 'retry-after': '2' }));
    await expect(client.signIn({ email: 'ada@example.com', password: 'guess' })).rejects.toMatchObject({ status: 429 });
    expect(server.seen('POST /auth/login')).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('never retries a 401 that survives the refresh', async () => {
    const { client, delays } = await signedInClient(server);
    const refused = { status: 401, body: { code: 'UNAUTHENTICATED', status: 401, requestId: 'r', title: 't' } };
    server.script('GET /api/v1/users/me', refused, refused);
    await expect(client.GET('/api/v1/users/me')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(server.seen('GET /api/v1/users/me')).toHaveLength(2);
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    expect(delays).toEqual([]);
  });
});

describe('retryDelay', () => {
  const response = (status: number, retryAfter?: string) =>
    new Response(null, { status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });

  it('reads seconds and HTTP dates, a past date as no wait', () => {
    const now = Date.parse('2026-12-06T09:00:00Z');
    expect(retryDelay(response(429, '2'), 0, DEFAULT_RETRY, now)).toBe(2000);
    expect(retryDelay(response(503, 'Sun, 06 Dec 2026 09:00:10 GMT'), 0, DEFAULT_RETRY, now)).toBe(10_000);
    expect(retryDelay(response(503, 'Sun, 06 Dec 2026 08:00:00 GMT'), 0, DEFAULT_RETRY, now)).toBe(0);
  });

  it('stops after the configured retries and on every other status', () => {
    expect(retryDelay(response(429, '1'), DEFAULT_RETRY.retries, DEFAULT_RETRY)).toBeNull();
    expect(retryDelay(response(200), 0, DEFAULT_RETRY)).toBeNull();
    expect(retryDelay(response(408, '1'), 0, DEFAULT_RETRY)).toBeNull();
  });

  it('treats an unreadable Retry-After as absent', () => {
    const wait = retryDelay(response(503, 'soon'), 0, DEFAULT_RETRY);
    expect(wait).toBeGreaterThanOrEqual(DEFAULT_RETRY.baseDelayMs / 2);
    expect(wait).toBeLessThanOrEqual(DEFAULT_RETRY.baseDelayMs);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason as soon as the caller aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
