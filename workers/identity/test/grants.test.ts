import { env } from 'cloudflare:workers';
import { FORGET_HEADER, type Principal, parseForget } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor } from './helpers.js';

const roleName = () => `role-${crypto.randomUUID().slice(0, 8)}`;

/** A custom role with `permissions`, inserted directly. */
async function role(permissions: string[]): Promise<string> {
  const name = roleName();
  await env.DB.prepare('INSERT INTO roles (name, permissions) VALUES (?, ?)')
    .bind(name, JSON.stringify(permissions))
    .run();
  return name;
}

/** A user holding `roles`, with the principal the gateway would hand over. */
async function holder(roles: string[]): Promise<{ id: string; principal: Principal }> {
  const { id } = await createUser({ roles });
  return { id, principal: await principalFor(id) };
}

async function rolesOf(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role')
    .bind(userId)
    .all<{ role: string }>();
  return results.map((r) => r.role);
}

async function refusals(actorId: string, action: string): Promise<Record<string, unknown>[]> {
  const { results } = await env.DB.prepare(
    "SELECT data FROM audit_logs WHERE actor_id = ? AND action = ? AND outcome = 'failure' ORDER BY seq",
  )
    .bind(actorId, action)
    .all<{ data: string }>();
  return results.map((r) => JSON.parse(r.data));
}

const putRoles = (id: string, roles: string[], principal: Principal) =>
  call(`/api/v1/users/${id}/roles`, { method: 'PUT', json: { roles } }, { principal });

describe('role assignment has a ceiling', () => {
  it('refuses a users:write holder who gives themselves admin, and audits the refusal', async () => {
    const support = await holder(['member', await role(['users:read', 'users:write'])]);
    const res = await putRoles(support.id, ['member', 'admin', ...(await rolesOf(support.id))], support.principal);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('FORBIDDEN');
    expect(await rolesOf(support.id)).not.toContain('admin');
    expect(await refusals(support.id, 'user.roles_change_refused')).toHaveLength(1);
  });

  it('refuses a users:write holder who gives admin, users:write or roles:write to someone else', async () => {
    const support = await holder(['member', await role(['users:read', 'users:write', 'roles:write'])]);
    const target = await createUser();
    for (const granted of ['admin', await role(['users:write']), await role(['roles:write'])]) {
      const res = await putRoles(target.id, ['member', granted], support.principal);
      expect(res.status, granted).toBe(403);
    }
    expect(await rolesOf(target.id)).toEqual(['member']);
  });

  it('refuses a role with a permission the granter does not hold, and allows one within their own', async () => {
    const support = await holder(['member', await role(['users:read', 'users:write', 'jobs:read'])]);
    const target = await createUser();
    const beyond = await putRoles(
      target.id,
      ['member', await role(['payments:write', 'audit-logs:read'])],
      support.principal,
    );
    expect(beyond.status).toBe(403);
    expect((await problemOf(beyond)).detail).toMatch(/audit-logs:read/);
    const within = await role(['jobs:read']);
    const ok = await putRoles(target.id, ['member', within], support.principal);
    expect(ok.status).toBe(200);
    expect(await rolesOf(target.id)).toEqual(['member', within].sort());
  });

  it('refuses taking away a role the caller could not grant', async () => {
    const support = await holder(['member', await role(['users:read', 'users:write'])]);
    const other = await holder(['admin', 'member']);
    const res = await putRoles(other.id, ['member'], support.principal);
    expect(res.status).toBe(403);
    expect(await rolesOf(other.id)).toEqual(['admin', 'member']);
  });

  it('refuses anyone, admins included, adding roles to themselves', async () => {
    const admin = await holder(['admin']);
    const res = await putRoles(admin.id, ['admin', 'member'], admin.principal);
    expect(res.status).toBe(403);
    expect(await rolesOf(admin.id)).toEqual(['admin']);
  });

  it('refuses a users:write holder who disables an admin', async () => {
    const support = await holder(['member', await role(['users:read', 'users:write'])]);
    const admin = await holder(['admin']);
    const res = await call(
      `/api/v1/users/${admin.id}`,
      { method: 'PATCH', json: { status: 'disabled' } },
      { principal: support.principal },
    );
    expect(res.status).toBe(403);
    const row = await env.DB.prepare('SELECT status FROM users WHERE id = ?')
      .bind(admin.id)
      .first<{ status: string }>();
    expect(row?.status).toBe('active');
    expect(await refusals(support.id, 'user.update_refused')).toHaveLength(1);
  });
});

describe('role editing has a ceiling', () => {
  it('refuses a roles:write holder adding a permission they lack to a role they hold', async () => {
    const editable = await role(['roles:read', 'roles:write']);
    const editor = await holder(['member', editable]);
    const res = await call(
      `/api/v1/roles/${editable}`,
      { method: 'PATCH', json: { permissions: ['roles:read', 'roles:write', 'users:write'] } },
      { principal: editor.principal },
    );
    expect(res.status).toBe(403);
    const jobs = await call(
      `/api/v1/roles/${editable}`,
      { method: 'PATCH', json: { permissions: ['roles:read', 'roles:write', 'jobs:write'] } },
      { principal: editor.principal },
    );
    expect(jobs.status).toBe(403);
    const stored = await env.DB.prepare('SELECT permissions FROM roles WHERE name = ?')
      .bind(editable)
      .first<{ permissions: string }>();
    expect(JSON.parse(stored?.permissions ?? '')).toEqual(['roles:read', 'roles:write']);
    expect(await refusals(editor.id, 'role.update_refused')).toHaveLength(2);
  });

  it('refuses creating a role beyond the creator, or with roles:write unless an admin', async () => {
    const editor = await holder(['member', await role(['roles:read', 'roles:write'])]);
    for (const permissions of [['metrics:read'], ['roles:write']]) {
      const res = await call(
        '/api/v1/roles',
        { json: { name: roleName(), permissions } },
        { principal: editor.principal },
      );
      expect(res.status, permissions.join()).toBe(403);
    }
    const within = await call(
      '/api/v1/roles',
      { json: { name: roleName(), permissions: ['files:read'] } },
      { principal: editor.principal },
    );
    expect(within.status).toBe(201);
    const admin = await holder(['admin']);
    const byAdmin = await call(
      '/api/v1/roles',
      { json: { name: roleName(), permissions: ['roles:write'] } },
      { principal: admin.principal },
    );
    expect(byAdmin.status).toBe(201);
  });
});

describe('losing a permission takes effect now', () => {
  it('signs a demoted user out everywhere and names them on the forget header', async () => {
    const admin = await holder(['admin']);
    const demoted = await holder(['admin', 'member']);
    const { sessionId } = await sessionsOf(env, demoted.id).createSession({
      ip: null,
      userAgent: null,
      method: 'password',
    });
    const res = await putRoles(demoted.id, ['member'], admin.principal);
    expect(res.status).toBe(200);
    expect(await sessionsOf(env, demoted.id).isActive(sessionId)).toBe(false);
    expect(parseForget(res.headers.get(FORGET_HEADER) ?? '').users).toEqual([demoted.id]);
  });

  it('keeps the sessions of a user who only gains a role', async () => {
    const admin = await holder(['admin']);
    const promoted = await holder(['member']);
    const { sessionId } = await sessionsOf(env, promoted.id).createSession({
      ip: null,
      userAgent: null,
      method: 'password',
    });
    const res = await putRoles(promoted.id, ['member', await role(['jobs:read'])], admin.principal);
    expect(res.status).toBe(200);
    expect(await sessionsOf(env, promoted.id).isActive(sessionId)).toBe(true);
    expect(res.headers.get(FORGET_HEADER)).toBeNull();
  });

  it('signs out every holder of a role that loses a permission or is deleted, and none when one is added', async () => {
    const admin = await holder(['admin']);
    const shared = await role(['jobs:read', 'jobs:write']);
    const holders = await Promise.all([0, 1, 2].map(() => holder(['member', shared])));
    const start = () =>
      Promise.all(
        holders.map(
          async (h) =>
            (await sessionsOf(env, h.id).createSession({ ip: null, userAgent: null, method: 'password' })).sessionId,
        ),
      );
    const live = async (ids: string[]) =>
      Promise.all(holders.map((h, i) => sessionsOf(env, h.id).isActive(ids[i] ?? '')));
    const edit = (permissions: string[]) =>
      call(`/api/v1/roles/${shared}`, { method: 'PATCH', json: { permissions } }, { principal: admin.principal });

    const first = await start();
    const added = await edit(['jobs:read', 'jobs:write', 'metrics:read']);
    expect(added.status).toBe(200);
    expect(await live(first)).toEqual([true, true, true]);

    const removed = await edit(['jobs:read']);
    expect(removed.status).toBe(200);
    expect(await live(first)).toEqual([false, false, false]);
    expect(parseForget(removed.headers.get(FORGET_HEADER) ?? '').users?.sort()).toEqual(
      holders.map((h) => h.id).sort(),
    );

    const second = await start();
    const deleted = await call(`/api/v1/roles/${shared}`, { method: 'DELETE' }, { principal: admin.principal });
    expect(deleted.status).toBe(204);
    expect(await live(second)).toEqual([false, false, false]);
  });

  it('names a disabled user on the forget header', async () => {
    const admin = await holder(['admin']);
    const user = await createUser();
    const res = await call(
      `/api/v1/users/${user.id}`,
      { method: 'PATCH', json: { status: 'disabled' } },
      { principal: admin.principal },
    );
    expect(res.status).toBe(200);
    expect(parseForget(res.headers.get(FORGET_HEADER) ?? '').users).toEqual([user.id]);
  });
});
