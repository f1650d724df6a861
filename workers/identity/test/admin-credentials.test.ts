import { env } from 'cloudflare:workers';
import { FORGET_HEADER, type Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor } from './helpers.js';

type Listed = { data: { id: string; current: boolean }[] };

/** A user with `roles` and a live session (signed in for real). */
async function signedInUser(roles: string[] = ['member']) {
  const user = await createUser({ roles });
  const res = await call('/auth/login', { json: { email: user.email, password: user.password } });
  const { accessToken } = await res.json<{ accessToken: string }>();
  const { sid } = JSON.parse(atob(accessToken.split('.')[1] ?? '')) as { sid: string };
  return { ...user, sessionId: sid, principal: await principalFor(user.id, sid) };
}

async function keyOf(principal: Principal): Promise<string> {
  const res = await call('/api/v1/users/me/api-keys', { json: { name: 'CI', scopes: [] } }, { principal });
  return (await res.json<{ id: string }>()).id;
}

async function lastAudit(action: string, targetId: string) {
  const row = await env.DB.prepare(
    'SELECT actor_id, outcome, data FROM audit_logs WHERE action = ? AND target_id = ? ORDER BY seq DESC LIMIT 1',
  )
    .bind(action, targetId)
    .first<{ actor_id: string; outcome: string; data: string }>();
  return row && { ...row, data: JSON.parse(row.data) };
}

describe("an admin and another user's sessions", () => {
  it('lists them, ends one, tells the gateway, and answers 404 to the repeat', async () => {
    const admin = await signedInUser(['admin']);
    const member = await signedInUser();
    const list = await call(`/api/v1/users/${member.id}/sessions`, {}, { principal: admin.principal });
    expect(list.status).toBe(200);
    const { data } = await list.json<Listed>();
    expect(data.map((s) => s.id)).toEqual([member.sessionId]);
    expect(data[0]?.current).toBe(false);

    const path = `/api/v1/users/${member.id}/sessions/${member.sessionId}`;
    const res = await call(path, { method: 'DELETE' }, { principal: admin.principal });
    expect(res.status).toBe(204);
    expect(res.headers.get(FORGET_HEADER)).toBe(`session=${member.sessionId}`);
    expect(await sessionsOf(env, member.id).isActive(member.sessionId)).toBe(false);
    expect(await lastAudit('session.revoked', member.sessionId)).toMatchObject({
      actor_id: admin.id,
      data: { userId: member.id, by: 'admin', reason: 'revoked_by_admin' },
    });
    // A retry after the first call landed: nothing left to end, so 404, and no second audit entry.
    const again = await call(path, { method: 'DELETE' }, { principal: admin.principal });
    expect(again.status).toBe(404);
    expect((await problemOf(again)).code).toBe('NOT_FOUND');
  });

  it("answers 404 for another user's session id, and leaves it live", async () => {
    const admin = await signedInUser(['admin']);
    const a = await signedInUser();
    const b = await signedInUser();
    const res = await call(
      `/api/v1/users/${a.id}/sessions/${b.sessionId}`,
      { method: 'DELETE' },
      { principal: admin.principal },
    );
    expect(res.status).toBe(404);
    expect(await sessionsOf(env, b.id).isActive(b.sessionId)).toBe(true);
  });

  it('answers 404 for an unknown user, listing or revoking', async () => {
    const admin = await signedInUser(['admin']);
    for (const [method, path] of [
      ['GET', '/api/v1/users/usr_00000000000000000000000000000000/sessions'],
      ['GET', '/api/v1/users/usr_00000000000000000000000000000000/api-keys'],
      ['DELETE', '/api/v1/users/usr_00000000000000000000000000000000/sessions/ses_x'],
      ['DELETE', '/api/v1/users/usr_00000000000000000000000000000000/api-keys/apk_x'],
    ] as const) {
      const res = await call(path, { method }, { principal: admin.principal });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await problemOf(res)).code).toBe('NOT_FOUND');
    }
  });

  it('refuses one who does not hold what the user holds, and audits the refusal', async () => {
    const operator = await signedInUser(['member']);
    const admin = await signedInUser(['admin']);
    // The route's own permission is the gateway's check; this caller has it but is below the admin it targets.
    const caller: Principal = { ...operator.principal, permissions: ['users:read', 'users:write'] };
    const res = await call(
      `/api/v1/users/${admin.id}/sessions/${admin.sessionId}`,
      { method: 'DELETE' },
      { principal: caller },
    );
    expect(res.status).toBe(403);
    expect(await sessionsOf(env, admin.id).isActive(admin.sessionId)).toBe(true);
    expect(await lastAudit('session.revoke_refused', admin.sessionId)).toMatchObject({
      actor_id: operator.id,
      outcome: 'failure',
    });
  });

  it('needs users:read to list and users:write to revoke', async () => {
    const member = await signedInUser();
    const reader: Principal = { ...member.principal, permissions: ['users:read'] };
    const list = await call(`/api/v1/users/${member.id}/sessions`, {}, { principal: member.principal });
    expect(list.status).toBe(403);
    const revoke = await call(
      `/api/v1/users/${member.id}/sessions/${member.sessionId}`,
      { method: 'DELETE' },
      { principal: reader },
    );
    expect(revoke.status).toBe(403);
    expect(await sessionsOf(env, member.id).isActive(member.sessionId)).toBe(true);
  });
});

describe("an admin and another user's API keys", () => {
  it('lists them without secrets, revokes one, tells the gateway, and answers 404 to the repeat', async () => {
    const admin = await signedInUser(['admin']);
    const member = await signedInUser();
    const keyId = await keyOf(member.principal);
    const list = await call(`/api/v1/users/${member.id}/api-keys`, {}, { principal: admin.principal });
    expect(list.status).toBe(200);
    const { data } = await list.json<{ data: Record<string, unknown>[] }>();
    expect(data.map((k) => k.id)).toEqual([keyId]);
    expect(data[0]).not.toHaveProperty('secret');

    const path = `/api/v1/users/${member.id}/api-keys/${keyId}`;
    const res = await call(path, { method: 'DELETE' }, { principal: admin.principal });
    expect(res.status).toBe(204);
    expect(res.headers.get(FORGET_HEADER)).toBe(`api-key=${keyId}`);
    const row = await env.DB.prepare('SELECT revoked_at FROM api_keys WHERE id = ?')
      .bind(keyId)
      .first<{ revoked_at: string | null }>();
    expect(row?.revoked_at).not.toBeNull();
    expect(await lastAudit('api_key.revoked', keyId)).toMatchObject({
      actor_id: admin.id,
      data: { userId: member.id, by: 'admin' },
    });
    expect((await call(path, { method: 'DELETE' }, { principal: admin.principal })).status).toBe(404);
  });

  it('answers 404 for a key of someone else, and leaves it active', async () => {
    const admin = await signedInUser(['admin']);
    const a = await signedInUser();
    const b = await signedInUser();
    const keyId = await keyOf(b.principal);
    const res = await call(
      `/api/v1/users/${a.id}/api-keys/${keyId}`,
      { method: 'DELETE' },
      { principal: admin.principal },
    );
    expect(res.status).toBe(404);
    const row = await env.DB.prepare('SELECT revoked_at FROM api_keys WHERE id = ?')
      .bind(keyId)
      .first<{ revoked_at: string | null }>();
    expect(row?.revoked_at).toBeNull();
  });
});
