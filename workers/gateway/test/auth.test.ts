import { env } from 'cloudflare:workers';
import { type RequestMeta, SESSION_STATUS_CACHE_SECONDS } from '@onasis/contracts';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { TOKEN_CACHE_MS } from '../src/services/access-tokens.js';
import { JWKS_CACHE_MS, JWKS_REFETCH_MS } from '../src/services/jwks.js';
import { resetSessionStatusCache } from '../src/services/session-status.js';
import { fetchWith, problemOf } from './helpers.js';
import {
  advanceClock,
  bearer,
  createUser,
  json,
  newKey,
  publishedKey,
  request,
  type SignedIn,
  signedInUser,
  signIn,
  signToken,
  type TestKey,
} from './identity-fixtures.js';

const SESSION_CACHE_MS = SESSION_STATUS_CACHE_SECONDS * 1000;

interface IdentityCalls {
  jwks: number;
  sessionStatus: number;
}

/**
 * The real identity binding behind a wrapper that counts the calls the gateway makes for authentication; `jwks` and
 * `sessionStatus` can be replaced to make identity fail or hang.
 */
function countingIdentity(
  replace: {
    jwks?: () => Promise<unknown>;
    sessionStatus?: (userId: string, sessionId: string) => Promise<unknown>;
  } = {},
) {
  const calls: IdentityCalls = { jwks: 0, sessionStatus: 0 };
  const binding = {
    jwks: () => {
      calls.jwks += 1;
      return replace.jwks ? replace.jwks() : env.IDENTITY.jwks();
    },
    sessionStatus: (userId: string, sessionId: string) => {
      calls.sessionStatus += 1;
      return replace.sessionStatus
        ? replace.sessionStatus(userId, sessionId)
        : env.IDENTITY.sessionStatus(userId, sessionId);
    },
    handle: (req: Request, meta: RequestMeta) => env.IDENTITY.handle(req, meta),
  };
  const fetch = (path: string, init?: RequestInit) => fetchWith({ IDENTITY: binding }, path, init);
  return { calls, fetch };
}

const unreachable = () => Promise.reject(new Error('identity is down'));
const never = () => new Promise<never>(() => {});

let key: TestKey;
let member: SignedIn;

beforeAll(async () => {
  key = await publishedKey();
  member = await signedInUser();
});

beforeEach(() => {
  resetAuthCaches();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A new access token of `member`'s session (a new jti, so that no cache has seen it). */
const freshToken = () => signToken(key, member.subject);

describe('route policy', () => {
  it('answers a protected route without credentials with 401 and a Bearer challenge', async () => {
    const res = await request('/api/v1/users/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the scheme alone', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two tokens', 'Bearer abc def'],
    ['characters outside b64token', 'Bearer abc$def'],
  ])('answers a malformed Authorization header (%s) with 401 invalid_token', async (_name, header) => {
    const res = await request('/api/v1/users/me', { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
  });

  it('takes the Bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await request('/api/v1/users/me', { headers: { authorization: `${scheme} ${member.accessToken}` } });
      expect(res.status).toBe(200);
    }
  });

  it('refuses a member on admin routes with 403', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/users'],
      ['GET', `/api/v1/users/${member.user.id}`],
      ['DELETE', `/api/v1/users/${member.user.id}`],
      ['POST', '/api/v1/roles'],
      ['GET', '/api/v1/audit-logs'],
    ] as const) {
      const res = await request(path, bearer(member.accessToken, { method }));
      expect(res.status, `${method} ${path}`).toBe(403);
      const problem = await problemOf(res);
      expect(problem.code).toBe('FORBIDDEN');
      expect(problem.detail).toMatch(/needs the [a-z-]+:(read|write) permission/);
    }
  });

  it('lets an admin through to the same routes', async () => {
    const admin = await signedInUser(['admin']);
    const res = await request('/api/v1/users', bearer(admin.accessToken));
    expect(res.status).not.toBe(401);
    expect(res.status).not.toBe(403);
  });

  it('passes public routes through without credentials', async () => {
    const login = await request('/auth/login', json({ email: 'nobody@example.com', password: 'not the password' }));
    // Identity's own answer, not the gateway's: the request reached it.
    expect(login.status).toBe(401);
    expect((await problemOf(login)).code).toBe('INVALID_CREDENTIALS');
    expect((await request('/.well-known/jwks.json')).status).toBe(200);
  });

  it('hands a valid token on a public route through, and treats a bad one there as no token', async () => {
    expect((await request('/.well-known/jwks.json', bearer(member.accessToken))).status).toBe(200);
    // A client that sends its stale access token along with a refresh still gets new tokens.
    const session = await signedInUser();
    const expired = await signToken(key, session.subject, { claims: { exp: Math.floor(Date.now() / 1000) - 600 } });
    const refreshed = await request(
      '/auth/refresh',
      bearer(expired, json({ refreshToken: session.refreshToken }, { method: 'POST' })),
    );
    expect(refreshed.status).toBe(200);
    expect((await request('/.well-known/jwks.json', bearer('not-a-jwt'))).status).toBe(200);
  });

  it('refuses API keys until they are supported', async () => {
    const res = await request('/api/v1/users/me', bearer(`onk_${'a'.repeat(40)}`));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('leaves gateway endpoints and unowned paths to their own rules', async () => {
    expect((await request('/health', bearer('not-a-jwt'))).status).not.toBe(401);
    const unowned = await request('/api/v1/nothing-here', bearer('not-a-jwt'));
    expect(unowned.status).toBe(404);
  });

  it('never logs the token it refuses', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    const token = await signToken(key, member.subject, { claims: { iss: 'https://attacker.example' } });
    const res = await request('/api/v1/users/me', bearer(token, { headers: { 'x-request-id': 'refused-token-1' } }));
    const lines = spy.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('refused-token-1'));
    spy.mockRestore();
    expect(res.status).toBe(401);
    expect(lines.some((l) => l.includes('access token refused'))).toBe(true);
    const [, payload, signature] = token.split('.');
    expect(lines.join('\n')).not.toContain(payload);
    expect(lines.join('\n')).not.toContain(signature);
  });
});

describe('the principal handed to domain Workers', () => {
  it('is the verified caller, whatever headers the client adds', async () => {
    const admin = await createUser(['admin']);
    const forged = JSON.stringify({ userId: admin.id, sessionId: null, permissions: ['users:write'], via: 'api_key' });
    const res = await request(
      '/api/v1/users/me',
      bearer(member.accessToken, {
        headers: { 'x-onasis-principal': forged, principal: forged, 'x-user-id': admin.id },
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: member.user.id, email: member.user.email });
  });

  it('cannot be supplied by headers alone', async () => {
    const forged = JSON.stringify({ userId: member.user.id, sessionId: null, permissions: [], via: 'api_key' });
    const res = await request('/api/v1/users/me', {
      headers: { 'x-onasis-principal': forged, 'x-user-id': member.user.id },
    });
    expect(res.status).toBe(401);
  });

  it('comes with the client IP from CF-Connecting-IP only', async () => {
    const user = await createUser();
    const session = await signIn(user, { 'cf-connecting-ip': '198.51.100.23', 'x-forwarded-for': '203.0.113.66' });
    const res = await request('/api/v1/users/me/sessions', bearer(session.accessToken));
    expect(res.status).toBe(200);
    const { data } = await res.json<{ data: { id: string; ip: string | null }[] }>();
    expect(data.find((s) => s.id === session.subject.sid)?.ip).toBe('198.51.100.23');
  });
});

describe('signing keys', () => {
  it('fetches the key set once per isolate for many verifications', async () => {
    const identity = countingIdentity();
    for (let i = 0; i < 8; i++) {
      expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    }
    expect(identity.calls.jwks).toBe(1);
  });

  it('refetches for unknown kids at most once per JWKS_REFETCH_MS', async () => {
    const identity = countingIdentity();
    expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    const stranger = await newKey();
    for (let i = 0; i < 10; i++) {
      const token = await signToken({ ...stranger, kid: `key_unknown_${i}` }, member.subject);
      expect((await identity.fetch('/api/v1/users/me', bearer(token))).status).toBe(401);
    }
    expect(identity.calls.jwks).toBe(1);

    advanceClock(JWKS_REFETCH_MS + 1000);
    for (let i = 0; i < 10; i++) {
      const token = await signToken({ ...stranger, kid: `key_unknown_later_${i}` }, member.subject);
      expect((await identity.fetch('/api/v1/users/me', bearer(token))).status).toBe(401);
    }
    expect(identity.calls.jwks).toBe(2);
  });

  it('picks up a rotated key on its first token once the refetch interval allows', async () => {
    const identity = countingIdentity();
    expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    const rotated = await publishedKey();
    const token = await signToken(rotated, member.subject);
    // Within the interval the new kid is as unknown as an invented one: no refetch on demand.
    expect((await identity.fetch('/api/v1/users/me', bearer(token))).status).toBe(401);
    expect(identity.calls.jwks).toBe(1);

    advanceClock(JWKS_REFETCH_MS + 1000);
    expect((await identity.fetch('/api/v1/users/me', bearer(token))).status).toBe(200);
    expect(identity.calls.jwks).toBe(2);
    // And both keys verify from then on without another fetch.
    expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    expect(identity.calls.jwks).toBe(2);
  });

  it('reloads the key set once it is older than JWKS_CACHE_MS', async () => {
    const identity = countingIdentity();
    expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    advanceClock(JWKS_CACHE_MS + 1000);
    expect((await identity.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    expect(identity.calls.jwks).toBe(2);
  });

  it('keeps verifying with stale keys while identity cannot be reached', async () => {
    const healthy = countingIdentity();
    expect((await healthy.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    advanceClock(JWKS_CACHE_MS + 1000);
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const down = countingIdentity({ jwks: unreachable });
    expect((await down.fetch('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
    expect(down.calls.jwks).toBe(1);
    expect(spy.mock.calls.some((args) => String(args[0]).includes('stale signing keys'))).toBe(true);
  });

  it('answers 503 when it has no keys and identity cannot be reached, and does not remember the failure', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = countingIdentity({ jwks: unreachable });
    const res = await down.fetch('/api/v1/users/me', bearer(await freshToken()));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    spy.mockRestore();
    expect((await request('/api/v1/users/me', bearer(await freshToken()))).status).toBe(200);
  });
});

describe('session status', () => {
  it('asks identity once per session per cache window, once an answer has landed', async () => {
    const identity = countingIdentity();
    const tokens = await Promise.all(Array.from({ length: 6 }, freshToken));
    const answers = await Promise.all(tokens.map((t) => identity.fetch('/api/v1/users/me', bearer(t))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const asked = identity.calls.sessionStatus;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(6);
    for (const t of tokens) await identity.fetch('/api/v1/users/me', bearer(t));
    expect(identity.calls.sessionStatus).toBe(asked);

    advanceClock(SESSION_CACHE_MS + 1000);
    expect((await identity.fetch('/api/v1/users/me', bearer(tokens[0] as string))).status).toBe(200);
    expect(identity.calls.sessionStatus).toBe(asked + 1);
  });

  it('never makes a request wait on the session check another request started', async () => {
    // workerd cancels a request that awaits a promise created by another request once that one has ended (its
    // client hung up), so a shared check would fail every request waiting on it: here the first check hangs.
    await request('/api/v1/users/me', bearer(await freshToken()));
    resetSessionStatusCache();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const identity = countingIdentity({
      sessionStatus: (userId, sessionId) =>
        identity.calls.sessionStatus === 1
          ? held.then(async () => await env.IDENTITY.sessionStatus(userId, sessionId))
          : env.IDENTITY.sessionStatus(userId, sessionId),
    });
    const first = identity.fetch('/api/v1/users/me', bearer(await freshToken()));
    await vi.waitFor(() => expect(identity.calls.sessionStatus).toBe(1));
    const second = await identity.fetch('/api/v1/users/me', bearer(await freshToken()));
    expect(second.status).toBe(200);
    expect(identity.calls.sessionStatus).toBe(2);
    release();
    expect((await first).status).toBe(200);
  });

  it('stops a session revoked elsewhere within SESSION_STATUS_CACHE_SECONDS, and remembers the refusal', async () => {
    const session = await signedInUser();
    const identity = countingIdentity();
    expect((await identity.fetch('/api/v1/users/me', bearer(session.accessToken))).status).toBe(200);
    // Signed out through another gateway isolate: this one learns of it only by asking identity again.
    const principal = {
      userId: session.subject.sub,
      sessionId: session.subject.sid,
      permissions: [],
      via: 'access_token' as const,
    };
    const logout = await env.IDENTITY.handle(new Request('http://identity/auth/logout', { method: 'POST' }), {
      requestId: 'req_elsewhere',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      principal,
    });
    expect(logout.status).toBe(204);
    // The answer cached before the logout still holds: this is the window the constant bounds.
    expect((await identity.fetch('/api/v1/users/me', bearer(session.accessToken))).status).toBe(200);
    expect(identity.calls.sessionStatus).toBe(1);

    advanceClock(SESSION_CACHE_MS + 1000);
    const refused = await identity.fetch('/api/v1/users/me', bearer(session.accessToken));
    expect(refused.status).toBe(401);
    expect((await problemOf(refused)).code).toBe('UNAUTHENTICATED');
    expect((await identity.fetch('/api/v1/users/me', bearer(session.accessToken))).status).toBe(401);
    expect(identity.calls.sessionStatus).toBe(2);
  });

  it('forgets a session at once in the isolate that forwarded its logout', async () => {
    const session = await signedInUser();
    expect((await request('/api/v1/users/me', bearer(session.accessToken))).status).toBe(200);
    expect((await request('/auth/logout', bearer(session.accessToken, { method: 'POST' }))).status).toBe(204);
    expect((await request('/api/v1/users/me', bearer(session.accessToken))).status).toBe(401);
  });

  it('forgets every session of a user at once after logout-all in this isolate', async () => {
    const user = await createUser();
    const a = await signIn(user);
    const b = await signIn(user);
    for (const s of [a, b]) expect((await request('/api/v1/users/me', bearer(s.accessToken))).status).toBe(200);
    expect((await request('/auth/logout-all', bearer(a.accessToken, { method: 'POST' }))).status).toBe(204);
    for (const s of [a, b]) expect((await request('/api/v1/users/me', bearer(s.accessToken))).status).toBe(401);
  });

  it('refuses a signed-out session at once in an isolate that had not cached it', async () => {
    const session = await signedInUser();
    expect((await request('/auth/logout', bearer(session.accessToken, { method: 'POST' }))).status).toBe(204);
    resetAuthCaches();
    expect((await request('/api/v1/users/me', bearer(session.accessToken))).status).toBe(401);
  });

  it('answers 503 when identity fails the check, and does not remember the failure', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = countingIdentity({ sessionStatus: unreachable });
    const res = await down.fetch('/api/v1/users/me', bearer(member.accessToken));
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe('SERVICE_UNAVAILABLE');
    spy.mockRestore();
    expect((await request('/api/v1/users/me', bearer(member.accessToken))).status).toBe(200);
  });

  it('answers 503 when identity does not answer the check within UPSTREAM_TIMEOUT_MS', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const hung = countingIdentity({ sessionStatus: never });
    const started = performance.now();
    const res = await hung.fetch('/api/v1/users/me', bearer(member.accessToken));
    expect(res.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(5000);
    spy.mockRestore();
  });
});

describe('verified tokens', () => {
  it('checks a token’s signature once, and again after TOKEN_CACHE_MS', async () => {
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const token = await freshToken();
    for (let i = 0; i < 5; i++) expect((await request('/api/v1/users/me', bearer(token))).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);

    advanceClock(TOKEN_CACHE_MS + 1000);
    expect((await request('/api/v1/users/me', bearer(token))).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never trusts a cached token past its exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signToken(key, member.subject, { claims: { exp: now + 20 } });
    expect((await request('/api/v1/users/me', bearer(token))).status).toBe(200);
    // Past exp for the cache (jose, on real time, would still accept it): the token is verified again, not served.
    const verify = vi.spyOn(crypto.subtle, 'verify');
    advanceClock(21_000);
    expect((await request('/api/v1/users/me', bearer(token))).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

describe('session cookies', () => {
  async function cookieSession(): Promise<string> {
    const user = await createUser();
    const res = await request('/auth/login', json({ email: user.email, password: user.password, cookie: true }));
    expect(res.status).toBe(200);
    const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-onasis_at=')) ?? '';
    return line.slice(0, line.indexOf(';'));
  }

  it('authenticates a request by the access cookie when no Authorization header is sent', async () => {
    const cookie = await cookieSession();
    const res = await request('/api/v1/users/me', { headers: { cookie: `theme=dark; ${cookie}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ roles: ['member'] });
  });

  it('refuses a state-changing cookie request from another site or without an Origin, and takes one from an allowed origin', async () => {
    const cookie = await cookieSession();
    const post = (origin?: string) =>
      request('/auth/logout', { method: 'POST', headers: { cookie, ...(origin ? { origin } : {}) } });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect((await problemOf(foreign)).code).toBe('FORBIDDEN');
    expect((await post()).status).toBe(403);
    // Still signed in: neither refused request reached identity.
    expect((await request('/api/v1/users/me', { headers: { cookie } })).status).toBe(200);
    expect((await post('http://localhost:5173')).status).toBe(204);
    expect((await request('/api/v1/users/me', { headers: { cookie } })).status).toBe(401);
  });

  it('lets the Authorization header win over a cookie', async () => {
    const cookie = await cookieSession();
    const res = await request('/api/v1/users/me', { headers: { cookie, authorization: 'Bearer not-a-jwt' } });
    expect(res.status).toBe(401);
  });
});
