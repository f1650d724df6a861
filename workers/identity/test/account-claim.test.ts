import { env, exports } from 'cloudflare:workers';
import { FORGET_HEADER, type Principal, parseForget } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { newEmailToken } from '../src/services/email-tokens.js';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor, sentTo, waitForMessages } from './helpers.js';

/** An API key row for `userId`, as one made before keys needed a verified address. */
async function keyOf(userId: string): Promise<string> {
  const id = `apk_${crypto.randomUUID().replaceAll('-', '')}`;
  await env.DB.prepare(
    "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes) VALUES (?, ?, 'old', 'onk_oldkey00', ?, '[]')",
  )
    .bind(id, userId, crypto.randomUUID())
    .run();
  return id;
}

async function revoked(keyId: string): Promise<boolean> {
  const row = await env.DB.prepare('SELECT revoked_at FROM api_keys WHERE id = ?')
    .bind(keyId)
    .first<{ revoked_at: string | null }>();
  return row?.revoked_at !== null;
}

async function token(purpose: 'verify_email' | 'reset_password', userId: string, email: string): Promise<string> {
  const made = await newEmailToken(env.DB, purpose, userId, email);
  await made.statement.run();
  return made.token;
}

async function session(userId: string): Promise<string> {
  return (await sessionsOf(env, userId).createSession({ ip: null, userAgent: null, method: 'password' })).sessionId;
}

/** Claims of `userId`: audited synchronously, so a count of zero is not merely a message still on its way. */
async function claims(userId: string): Promise<{ audited: number; events: number }> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM audit_logs WHERE target_id = ? AND action = 'user.account_claimed'",
  )
    .bind(userId)
    .first<{ n: number }>();
  const events = (await sentTo('onasis-user-events')).filter(
    (m) => m.type === 'user.account-claimed' && m.userId === userId,
  ).length;
  return { audited: row?.n ?? 0, events };
}

describe('API keys before the address is proven', () => {
  it('answers 403 EMAIL_NOT_VERIFIED and creates nothing, audited', async () => {
    const { id } = await createUser({ verified: false });
    const res = await call(
      '/api/v1/users/me/api-keys',
      { json: { name: 'squat', scopes: [] } },
      { principal: await principalFor(id) },
    );
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('EMAIL_NOT_VERIFIED');
    const n = await env.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE user_id = ?')
      .bind(id)
      .first<{ n: number }>();
    expect(n?.n).toBe(0);
    const audit = await env.DB.prepare(
      "SELECT outcome FROM audit_logs WHERE actor_id = ? AND action = 'api_key.create_refused'",
    )
      .bind(id)
      .first<{ outcome: string }>();
    expect(audit?.outcome).toBe('failure');
  });

  it('does not let an older key of an unproven account act', async () => {
    const { id } = await createUser({ verified: false });
    const principal: Principal = await principalFor(id);
    await env.DB.prepare('UPDATE users SET email_verified_at = ? WHERE id = ?')
      .bind(new Date().toISOString(), id)
      .run();
    const created = await call('/api/v1/users/me/api-keys', { json: { name: 'k', scopes: [] } }, { principal });
    const { secret } = await created.json<{ secret: string }>();
    expect((await exports.IdentityService.verifyApiKey(secret)).ok).toBe(true);
    await env.DB.prepare('UPDATE users SET email_verified_at = NULL WHERE id = ?').bind(id).run();
    expect((await exports.IdentityService.verifyApiKey(secret)).ok).toBe(false);
  });
});

describe('claiming an account', () => {
  it('by password reset revokes every key and session and publishes user.account-claimed', async () => {
    const squatter = await createUser({ verified: false });
    const key = await keyOf(squatter.id);
    const sid = await session(squatter.id);
    const reset = await token('reset_password', squatter.id, squatter.email);
    const res = await call('/auth/password/reset', { json: { token: reset, password: 'the real owner chose this' } });
    expect(res.status).toBe(204);
    expect(await revoked(key)).toBe(true);
    expect(await sessionsOf(env, squatter.id).isActive(sid)).toBe(false);
    expect(parseForget(res.headers.get(FORGET_HEADER) ?? '')).toMatchObject({ users: [squatter.id], apiKeys: [key] });
    await waitForMessages('onasis-user-events', (all) =>
      all.some((m) => m.type === 'user.account-claimed' && m.userId === squatter.id),
    );
    const outbox = await env.DB.prepare('SELECT count(*) AS n FROM outbox').first<{ n: number }>();
    expect(outbox?.n).toBe(0);
  });

  it('by password reset of an account proven before claims nothing: its keys stay', async () => {
    const owner = await createUser();
    const key = await keyOf(owner.id);
    const reset = await token('reset_password', owner.id, owner.email);
    const res = await call('/auth/password/reset', { json: { token: reset, password: 'a forgetful owner again' } });
    expect(res.status).toBe(204);
    expect(await revoked(key)).toBe(false);
    expect(await claims(owner.id)).toEqual({ audited: 0, events: 0 });
  });

  it('by first verification keeps only the verifying session, and a second proof claims nothing again', async () => {
    const user = await createUser({ verified: false });
    const key = await keyOf(user.id);
    const [mine, theirs] = [await session(user.id), await session(user.id)];
    const principal = await principalFor(user.id, mine);
    const res = await call(
      '/auth/verify-email',
      { json: { token: await token('verify_email', user.id, user.email) } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect(await sessionsOf(env, user.id).isActive(mine)).toBe(true);
    expect(await sessionsOf(env, user.id).isActive(theirs)).toBe(false);
    expect(await revoked(key)).toBe(true);
    await waitForMessages('onasis-user-events', (all) =>
      all.some((m) => m.type === 'user.account-claimed' && m.userId === user.id),
    );
    const reset = await token('reset_password', user.id, user.email);
    expect(
      (await call('/auth/password/reset', { json: { token: reset, password: 'changed after verifying' } })).status,
    ).toBe(204);
    expect(await claims(user.id)).toEqual({ audited: 1, events: 1 });
  });

  it('does not claim through a link to an address the account no longer has', async () => {
    const user = await createUser({ verified: false });
    const key = await keyOf(user.id);
    const stale = await token('verify_email', user.id, user.email);
    await env.DB.prepare('UPDATE users SET email = ? WHERE id = ?').bind(`moved-${user.email}`, user.id).run();
    expect((await call('/auth/verify-email', { json: { token: stale } })).status).toBe(200);
    expect(await revoked(key)).toBe(false);
    expect(await claims(user.id)).toEqual({ audited: 0, events: 0 });
  });
});
