// Issue 9, identity's account items (2, 3, 6, 7): each attack from the review, performed through the gateway as a
// client would, and refused.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { problemOf } from './helpers.js';
import {
  advanceClock,
  bearer,
  createUser,
  emailedToken,
  json,
  request,
  type SignedIn,
  signedInUser,
  signIn,
} from './identity-fixtures.js';

const SESSION_CACHE_MS = 30_000;
const db = () => env.IDENTITY_DB;

/** A custom role with `permissions`, made as an operator would have made it. */
async function role(permissions: string[]): Promise<string> {
  const name = `role-${crypto.randomUUID().slice(0, 8)}`;
  await db()
    .prepare('INSERT INTO roles (name, permissions) VALUES (?, ?)')
    .bind(name, JSON.stringify(permissions))
    .run();
  return name;
}

async function rolesOf(userId: string): Promise<string[]> {
  const { results } = await db()
    .prepare('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role')
    .bind(userId)
    .all<{ role: string }>();
  return results.map((r) => r.role);
}

const me = (user: SignedIn) => request('/api/v1/users/me', bearer(user.accessToken));
const put = (user: SignedIn, path: string, body: unknown) =>
  request(path, bearer(user.accessToken, json(body, { method: 'PUT' })));
const patch = (user: SignedIn, path: string, body: unknown) =>
  request(path, bearer(user.accessToken, json(body, { method: 'PATCH' })));

/** Registers through the gateway and signs in with the same password, as an attacker squatting an address would. */
async function squat(email: string, password = 'squatters passphrase 1'): Promise<SignedIn> {
  const res = await request('/auth/register', json({ email, password }));
  expect(res.status).toBe(202);
  const row = await db().prepare('SELECT id FROM users WHERE email = ?').bind(email).first<{ id: string }>();
  return signIn({ id: row?.id ?? '', email, password });
}

beforeEach(() => {
  resetAuthCaches();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('item 2: users:write or roles:write is not enough to become admin', () => {
  it('refuses a users:write holder who gives themselves admin, or admin to an accomplice', async () => {
    const support = await signedInUser(['member', await role(['users:read', 'users:write'])]);
    const self = await put(support, `/api/v1/users/${support.user.id}/roles`, { roles: ['admin', 'member'] });
    expect(self.status).toBe(403);
    expect((await problemOf(self)).code).toBe('FORBIDDEN');
    const accomplice = await createUser();
    const other = await put(support, `/api/v1/users/${accomplice.id}/roles`, { roles: ['admin'] });
    expect(other.status).toBe(403);
    const writer = await put(support, `/api/v1/users/${accomplice.id}/roles`, {
      roles: ['member', await role(['users:write'])],
    });
    expect(writer.status).toBe(403);
    expect(await rolesOf(support.user.id)).not.toContain('admin');
    expect(await rolesOf(accomplice.id)).toEqual(['member']);
  });

  it('refuses a roles:write holder who adds a permission they lack to a role they hold', async () => {
    const own = await role(['roles:read', 'roles:write']);
    const editor = await signedInUser(['member', own]);
    for (const added of ['users:write', 'audit-logs:read', 'metrics:read']) {
      const res = await patch(editor, `/api/v1/roles/${own}`, { permissions: ['roles:read', 'roles:write', added] });
      expect(res.status, added).toBe(403);
    }
    const stored = await db()
      .prepare('SELECT permissions FROM roles WHERE name = ?')
      .bind(own)
      .first<{ permissions: string }>();
    expect(JSON.parse(stored?.permissions ?? '[]')).toEqual(['roles:read', 'roles:write']);
  });

  it('stops a demoted admin within the session cache, before they can grant admin back', async () => {
    const boss = await signedInUser(['admin']);
    const demoted = await signedInUser(['admin', 'member']);
    expect((await me(demoted)).status).toBe(200);
    const res = await put(boss, `/api/v1/users/${demoted.user.id}/roles`, { roles: ['member'] });
    expect(res.status).toBe(200);
    // Another gateway isolate still holds the session as live: it drops it within its 30-second cache.
    advanceClock(SESSION_CACHE_MS + 1000);
    const regrant = await put(demoted, `/api/v1/users/${demoted.user.id}/roles`, { roles: ['admin', 'member'] });
    expect(regrant.status).toBe(401);
    expect(await rolesOf(demoted.user.id)).toEqual(['member']);
    const refreshed = await request('/auth/refresh', json({ refreshToken: demoted.refreshToken }));
    expect(refreshed.status).toBe(401);
  });

  it('stops the holders of a role that loses a permission at once in the isolate that made the change', async () => {
    const admin = await signedInUser(['admin']);
    const ops = await role(['jobs:read', 'jobs:write']);
    const holder = await signedInUser(['member', ops]);
    expect((await request('/api/v1/jobs', bearer(holder.accessToken))).status).toBe(200);
    expect((await patch(admin, `/api/v1/roles/${ops}`, { permissions: ['jobs:read'] })).status).toBe(200);
    expect((await request('/api/v1/jobs', bearer(holder.accessToken))).status).toBe(401);
  });
});

describe('item 3: a pre-registered account does not stay hijacked', () => {
  it('refuses API keys to an account whose address is unproven', async () => {
    const attacker = await squat(`victim-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const res = await request(
      '/api/v1/users/me/api-keys',
      bearer(attacker.accessToken, json({ name: 'persistence', scopes: [] })),
    );
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('EMAIL_NOT_VERIFIED');
  });

  it('ends the squatter’s sessions and keys when the owner claims the account by password reset', async () => {
    const email = `victim-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const attacker = await squat(email);
    // A key from before keys needed a proven address.
    const keyId = `apk_${crypto.randomUUID().replaceAll('-', '')}`;
    await db()
      .prepare(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes) VALUES (?, ?, 'old', 'onk_oldkey00', ?, '[]')",
      )
      .bind(keyId, attacker.user.id, crypto.randomUUID())
      .run();
    expect((await me(attacker)).status).toBe(200);
    // The owner of the mailbox asks for a reset, receives the link and uses it.
    expect((await request('/auth/password/forgot', json({ email }))).status).toBe(202);
    const token = await emailedToken(attacker.user.id, 'identity.reset-password');
    const res = await request('/auth/password/reset', json({ token, password: 'the rightful owner now' }));
    expect(res.status).toBe(204);
    expect((await me(attacker)).status).toBe(401);
    const key = await db()
      .prepare('SELECT revoked_at FROM api_keys WHERE id = ?')
      .bind(keyId)
      .first<{ revoked_at: string | null }>();
    expect(key?.revoked_at).not.toBeNull();
    const relogin = await request('/auth/login', json({ email, password: 'squatters passphrase 1' }));
    expect(relogin.status).toBe(401);
  });
});

describe('item 6: register tells nobody which addresses have accounts; re-authentication is counted', () => {
  it('answers a taken address exactly as a new one', async () => {
    const taken = await createUser();
    const fresh = `new-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const a = await request('/auth/register', json({ email: taken.email, password: 'probing for accounts 1' }));
    const b = await request('/auth/register', json({ email: fresh, password: 'probing for accounts 1' }));
    expect(a.status).toBe(202);
    expect(b.status).toBe(a.status);
    expect(Object.keys(await a.json<object>())).toEqual(Object.keys(await b.json<object>()));
  });

  it('locks re-authentication after wrong current passwords from a stolen access token', async () => {
    const victim = await signedInUser();
    const guess = (currentPassword: string) =>
      patch(victim, '/api/v1/users/me', {
        email: `attacker-${crypto.randomUUID().slice(0, 8)}@example.com`,
        currentPassword,
      });
    for (let i = 0; i < 5; i++) expect((await guess(`guess number ${i} here`)).status).toBe(401);
    const locked = await guess(victim.user.password);
    expect(locked.status).toBe(429);
    expect((await problemOf(locked)).code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('item 7: mail on request is limited and names carry no links', () => {
  it('answers 429 with Retry-After to a flood of verification resends', async () => {
    const attacker = await squat(`flood-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await request('/auth/verify-email/resend', bearer(attacker.accessToken, { method: 'POST' }))).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('answers 429 to email changes that would mail one address again and again', async () => {
    const attacker = await signedInUser();
    const target = `someone-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const change = () =>
      patch(attacker, '/api/v1/users/me', { email: target, currentPassword: attacker.user.password });
    for (let i = 0; i < 5; i++) expect((await change()).status).toBe(200);
    const limited = await change();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('refuses a name that would put a link into the emails it is quoted in', async () => {
    const res = await request(
      '/auth/register',
      json({
        email: `phish-${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: 'phishing passphrase 1',
        name: 'Your account is locked, visit https://evil.example/unlock',
      }),
    );
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name' }] });
    const user = await signedInUser();
    const rename = await patch(user, '/api/v1/users/me', { name: 'Bob \u202Egnp.exe' });
    expect(rename.status).toBe(400);
  });
});
