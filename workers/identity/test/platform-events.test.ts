import { env } from 'cloudflare:workers';
import { PlatformEventSchema } from '@onasis/contracts';
import type { RecordedMessage } from '@onasis/testing';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { relayOutbox } from '../src/services/outbox.js';
import { signInMethodOf, userRegistered } from '../src/services/platform-events.js';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor, uniqueEmail, userIdOf, waitForMessages } from './helpers.js';
import type { MockLogin } from './oidc-provider.global.js';

const QUEUE = 'onasis-platform-events';
const APP = 'http://localhost:8787';

/** The platform events about `userId` of `type`, once at least `count` of them were recorded. */
async function eventsOf(userId: string, type: string, count = 1): Promise<RecordedMessage[]> {
  const about = (m: RecordedMessage) => m.userId === userId && m.type === type;
  const all = await waitForMessages(QUEUE, (ms) => ms.filter(about).length >= count);
  return all.filter(about);
}

async function outboxRows(): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM outbox WHERE queue = 'platformEvents'`).first<{
    n: number;
  }>();
  return row?.n ?? 0;
}

const sessionIds = async (userId: string) => (await sessionsOf(env, userId).list()).map((s) => s.id);

/** A social login through the mock provider, as a browser does it. */
async function socialLogin(login: MockLogin): Promise<Response> {
  const res = await call('/auth/oauth/mock/authorize');
  const location = new URL(res.headers.get('location') ?? '');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  location.searchParams.set('login_as', JSON.stringify(login));
  const atProvider = await fetch(location, { redirect: 'manual' });
  const back = new URL(atProvider.headers.get('location') ?? '');
  expect(back.origin).toBe(APP);
  return call(back.pathname + back.search, { headers: { cookie } });
}

describe('identity platform events', () => {
  it('publishes user.registered for a password registration, with nothing but the user id', async () => {
    const email = uniqueEmail('signup');
    const res = await call('/auth/register', { json: { email, password: 'a perfectly fine passphrase' } });
    expect(res.status).toBe(202);
    const userId = await userIdOf(email);
    const [event] = await eventsOf(userId, 'user.registered');
    expect(PlatformEventSchema.parse(event)).toEqual({
      kind: 'platform-event',
      id: `user.registered:${userId}`,
      type: 'user.registered',
      occurredAt: expect.any(String),
      userId,
      data: { method: 'password' },
    });
    expect(JSON.stringify(event)).not.toContain(email);
  });

  it('publishes no user.registered for an address that has an account', async () => {
    const user = await createUser();
    const res = await call('/auth/register', { json: { email: user.email, password: 'another fine passphrase' } });
    expect(res.status).toBe(202);
    // The notice to the owner is the last thing the request sends: once it is there, any event would be too.
    await waitForMessages('onasis-notifications', (ms) =>
      ms.some((m) => m.to === user.id && m.template === 'identity.register-attempt'),
    );
    expect(
      (await waitForMessages(QUEUE, () => true)).filter((m) => m.userId === user.id && m.type === 'user.registered'),
    ).toEqual([]);
  });

  it('publishes user.signed-in for each password sign-in, keyed by its session', async () => {
    const user = await createUser();
    for (let i = 0; i < 2; i++) {
      const res = await call('/auth/login', { json: { email: user.email, password: user.password } });
      expect(res.status).toBe(200);
    }
    const events = await eventsOf(user.id, 'user.signed-in', 2);
    expect(events.map((e) => (e.data as { method: string }).method)).toEqual(['password', 'password']);
    expect(events.map((e) => e.id).sort()).toEqual(
      (await sessionIds(user.id)).map((id) => `user.signed-in:${id}`).sort(),
    );
  });

  it('publishes user.signed-in with method mfa once the second factor is answered', async () => {
    const user = await createUser();
    const principal = await principalFor(user.id);
    const enrolled = await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal });
    const { secret } = await enrolled.json<{ secret: string }>();
    const code = (step: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: step * 30_000 });
    const now = Math.floor(Date.now() / 30_000);
    expect((await call('/auth/mfa/totp/confirm', { json: { code: code(now) } }, { principal })).status).toBe(200);
    const login = await call('/auth/login', { json: { email: user.email, password: user.password } });
    const { mfaToken } = await login.json<{ mfaToken: string }>();
    // A challenge is no sign-in yet.
    expect(await sessionIds(user.id)).toEqual([]);
    const verified = await call('/auth/mfa/verify', { json: { mfaToken, code: code(now + 1) } });
    expect(verified.status).toBe(200);
    const [event] = await eventsOf(user.id, 'user.signed-in');
    expect(event).toMatchObject({ id: `user.signed-in:${(await sessionIds(user.id))[0]}`, data: { method: 'mfa' } });
  });

  it('publishes user.registered and user.signed-in for a social sign-up, and only a sign-in when they return', async () => {
    const who = { sub: `sub-${crypto.randomUUID()}`, email: uniqueEmail('social') };
    const first = await socialLogin({ claims: who });
    expect(first.status).toBe(200);
    const userId = decodeJwt((await first.json<{ accessToken: string }>()).accessToken).sub ?? '';
    const [registered] = await eventsOf(userId, 'user.registered');
    expect(registered).toMatchObject({ id: `user.registered:${userId}`, data: { method: 'oauth' } });
    expect((await socialLogin({ claims: who })).status).toBe(200);
    const signedIn = await eventsOf(userId, 'user.signed-in', 2);
    expect(signedIn.map((e) => (e.data as { method: string }).method)).toEqual(['oauth', 'oauth']);
    expect(await eventsOf(userId, 'user.registered')).toHaveLength(1);
  });

  it('keeps an event whose send failed in the outbox, and the relay sends it with the same id', async () => {
    const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
    // Written as registration writes it, but never dispatched: as if the queue had refused the first send.
    await userRegistered(env.DB, userId, 'password').statement.run();
    expect(await outboxRows()).toBeGreaterThan(0);
    await relayOutbox(env);
    const [event] = await eventsOf(userId, 'user.registered');
    expect(event?.id).toBe(`user.registered:${userId}`);
    expect(await outboxRows()).toBe(0);
  });

  it.each([
    ['password', 'password'],
    ['password+mfa', 'mfa'],
    ['oauth:mock', 'oauth'],
    ['oauth:gh+mfa', 'mfa'],
  ])('reads a session method %s as %s', (method, expected) => {
    expect(signInMethodOf(method)).toBe(expected);
  });
});
