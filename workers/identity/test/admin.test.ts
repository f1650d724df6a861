import { env } from 'cloudflare:workers';
import { BUILT_IN_ROLES, FORGET_HEADER, type Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor } from './helpers.js';

type Role = { name: string; description: string; permissions: string[]; builtIn: boolean; memberCount: number };
type User = { id: string; email: string; name: string | null; status: string; roles: string[]; createdAt: string };
type Page<T> = { data: T[]; nextCursor: string | null };

async function admin(): Promise<{ id: string; principal: Principal }> {
  const { id } = await createUser({ roles: ['admin'] });
  return { id, principal: await principalFor(id) };
}

/** A caller holding exactly `permissions`, whatever their roles. */
function holding(...permissions: string[]): Principal {
  return { userId: 'usr_0000000000000000000000ff', sessionId: 'ses_test', permissions, via: 'access_token' };
}

function uniqueRoleName(): string {
  return `role-${crypto.randomUUID().slice(0, 8)}`;
}

async function lastAudit(action: string, targetId: string) {
  const row = await env.DB.prepare(
    'SELECT actor_id, target_type, target_id, request_id, data FROM audit_logs WHERE action = ? AND target_id = ? ORDER BY seq DESC LIMIT 1',
  )
    .bind(action, targetId)
    .first<{ actor_id: string; target_type: string; target_id: string; request_id: string; data: string }>();
  return row && { ...row, data: JSON.parse(row.data) };
}

async function auditCount(targetId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM audit_logs WHERE target_id = ?')
    .bind(targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function rolesOf(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role')
    .bind(userId)
    .all<{ role: string }>();
  return results.map((r) => r.role);
}

/** Leaves `keep` the only active admin. */
async function onlyAdmin(keep: string): Promise<void> {
  await env.DB.prepare("DELETE FROM user_roles WHERE role = 'admin' AND user_id <> ?").bind(keep).run();
}

describe('roles: access', () => {
  it.each([
    ['GET', '/api/v1/roles'],
    ['GET', '/api/v1/roles/admin'],
    ['POST', '/api/v1/roles'],
    ['PATCH', '/api/v1/roles/member'],
    ['DELETE', '/api/v1/roles/member'],
  ])('answers %s %s with 401 without a principal', async (method, path) => {
    const res = await call(path, { method, ...(method === 'POST' || method === 'PATCH' ? { json: {} } : {}) });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
  });

  it('answers 403 to a member, before looking at the body', async () => {
    const { id } = await createUser();
    const principal = await principalFor(id);
    for (const [method, path, json] of [
      ['GET', '/api/v1/roles', undefined],
      ['POST', '/api/v1/roles', { name: 'NOT A SLUG' }],
      ['DELETE', '/api/v1/roles/member', undefined],
    ] as const) {
      const res = await call(path, { method, json }, { principal });
      expect(res.status).toBe(403);
      expect((await problemOf(res)).detail).toMatch(/roles:(read|write)/);
    }
  });

  it('lets roles:read read but not write', async () => {
    const principal = holding('roles:read');
    expect((await call('/api/v1/roles/member', {}, { principal })).status).toBe(200);
    const res = await call('/api/v1/roles', { json: { name: uniqueRoleName(), permissions: [] } }, { principal });
    expect(res.status).toBe(403);
  });
});

describe('roles: reading', () => {
  it('lists the built-in roles with their permissions and members', async () => {
    const { principal } = await admin();
    const res = await call('/api/v1/roles?limit=100', {}, { principal });
    expect(res.status).toBe(200);
    const body = await res.json<Page<Role>>();
    const byName = Object.fromEntries(body.data.map((r) => [r.name, r]));
    expect(byName.admin).toMatchObject({ builtIn: true, permissions: [...BUILT_IN_ROLES.admin.permissions] });
    expect(byName.admin?.memberCount).toBeGreaterThanOrEqual(1);
    expect(byName.member).toMatchObject({ builtIn: true, permissions: [...BUILT_IN_ROLES.member.permissions] });
    expect(body.data.map((r) => r.name)).toEqual(body.data.map((r) => r.name).sort());
  });

  it('pages through roles with an opaque cursor', async () => {
    const { principal } = await admin();
    for (let i = 0; i < 3; i++) {
      await call('/api/v1/roles', { json: { name: uniqueRoleName(), permissions: [] } }, { principal });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const res = await call(`/api/v1/roles?limit=2${query}`, {}, { principal });
      const body = await res.json<Page<Role>>();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((r) => r.name));
      cursor = body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor);
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('answers 400 to a cursor it did not issue', async () => {
    const { principal } = await admin();
    const res = await call('/api/v1/roles?cursor=bm90LWpzb24', {}, { principal });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'query.cursor' }] });
  });

  it('gets one role, and 404 for an unknown one', async () => {
    const { principal } = await admin();
    const res = await call('/api/v1/roles/member', {}, { principal });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'member', builtIn: true });
    const missing = await call('/api/v1/roles/no-such-role', {}, { principal });
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('NOT_FOUND');
  });
});

describe('roles: changes', () => {
  it('creates a role, audited with its actor', async () => {
    const { id, principal } = await admin();
    const name = uniqueRoleName();
    const res = await call(
      '/api/v1/roles',
      { json: { name, description: 'Reads users', permissions: ['users:read', 'roles:read', 'users:read'] } },
      { principal, requestId: 'req_create_role' },
    );
    expect(res.status).toBe(201);
    const role = await res.json<Role>();
    expect(role).toMatchObject({ name, description: 'Reads users', builtIn: false, memberCount: 0 });
    expect(role.permissions).toEqual(['users:read', 'roles:read']);
    const entry = await lastAudit('role.created', name);
    expect(entry).toMatchObject({ actor_id: id, target_type: 'role', request_id: 'req_create_role' });
    expect(entry?.data).toEqual({ description: 'Reads users', permissions: ['users:read', 'roles:read'] });
  });

  it('answers 409 CONFLICT for a name that exists, built-in or not', async () => {
    const { principal } = await admin();
    const name = uniqueRoleName();
    expect((await call('/api/v1/roles', { json: { name, permissions: [] } }, { principal })).status).toBe(201);
    for (const taken of [name, 'admin']) {
      const res = await call('/api/v1/roles', { json: { name: taken, permissions: ['files:read'] } }, { principal });
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe('CONFLICT');
    }
    const admin_ = await env.DB.prepare("SELECT permissions FROM roles WHERE name = 'admin'").first<{
      permissions: string;
    }>();
    expect(JSON.parse(admin_?.permissions ?? '[]')).toEqual([...BUILT_IN_ROLES.admin.permissions]);
  });

  it('rejects permissions outside the registry and names that are not slugs', async () => {
    const { principal } = await admin();
    const unknown = await call(
      '/api/v1/roles',
      { json: { name: uniqueRoleName(), permissions: ['users:read', 'root:everything'] } },
      { principal },
    );
    expect(unknown.status).toBe(400);
    const problem = await problemOf(unknown);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path)).toEqual(['permissions.1']);
    for (const name of ['Support', 'a', '1st-line', 'with space', `r${'x'.repeat(40)}`]) {
      const res = await call('/api/v1/roles', { json: { name, permissions: [] } }, { principal });
      expect(res.status, name).toBe(400);
      expect((await problemOf(res)).errors?.[0]?.path).toBe('name');
    }
    const missing = await call('/api/v1/roles', { json: { name: uniqueRoleName() } }, { principal });
    expect(missing.status).toBe(400);
  });

  it('updates the description and permissions of a custom role, audited before and after', async () => {
    const { id, principal } = await admin();
    const name = uniqueRoleName();
    await call('/api/v1/roles', { json: { name, description: 'v1', permissions: ['files:read'] } }, { principal });
    const res = await call(
      `/api/v1/roles/${name}`,
      { method: 'PATCH', json: { permissions: ['jobs:write', 'files:read'] } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name, description: 'v1', permissions: ['files:read', 'jobs:write'] });
    const entry = await lastAudit('role.updated', name);
    expect(entry?.actor_id).toBe(id);
    expect(entry?.data).toEqual({
      before: { description: 'v1', permissions: ['files:read'] },
      after: { description: 'v1', permissions: ['files:read', 'jobs:write'] },
      holdersSignedOut: 0,
      sessionsRevoked: 0,
    });
  });

  it('gives holders of a role its new permissions', async () => {
    const { principal } = await admin();
    const name = uniqueRoleName();
    await call('/api/v1/roles', { json: { name, permissions: ['jobs:read'] } }, { principal });
    const { id } = await createUser({ roles: [name] });
    await call(`/api/v1/roles/${name}`, { method: 'PATCH', json: { permissions: ['metrics:read'] } }, { principal });
    expect((await principalFor(id)).permissions).toEqual(['metrics:read']);
  });

  it('keeps the permissions of built-in roles but lets their description change', async () => {
    const { principal } = await admin();
    const res = await call(
      '/api/v1/roles/member',
      { method: 'PATCH', json: { permissions: ['files:read'] } },
      { principal },
    );
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('ROLE_BUILT_IN');
    const same = await call(
      '/api/v1/roles/member',
      {
        method: 'PATCH',
        json: { description: 'Everyone who signed up.', permissions: [...BUILT_IN_ROLES.member.permissions].reverse() },
      },
      { principal },
    );
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({
      description: 'Everyone who signed up.',
      permissions: [...BUILT_IN_ROLES.member.permissions],
    });
    await call(
      '/api/v1/roles/member',
      { method: 'PATCH', json: { description: BUILT_IN_ROLES.member.description } },
      { principal },
    );
  });

  it('answers 400 to an empty or invalid update and 404 to an unknown role', async () => {
    const { principal } = await admin();
    const empty = await call('/api/v1/roles/member', { method: 'PATCH', json: {} }, { principal });
    expect(empty.status).toBe(400);
    const invalid = await call(
      '/api/v1/roles/member',
      { method: 'PATCH', json: { permissions: ['nope'] } },
      { principal },
    );
    expect(invalid.status).toBe(400);
    expect((await problemOf(invalid)).errors?.[0]?.path).toBe('permissions.0');
    const missing = await call(
      '/api/v1/roles/no-such-role',
      { method: 'PATCH', json: { description: 'x' } },
      { principal },
    );
    expect(missing.status).toBe(404);
  });

  it('deletes a custom role and takes it from its holders', async () => {
    const { id, principal } = await admin();
    const name = uniqueRoleName();
    await call('/api/v1/roles', { json: { name, permissions: ['jobs:read'] } }, { principal });
    const holder = await createUser({ roles: ['member', name] });
    const res = await call(`/api/v1/roles/${name}`, { method: 'DELETE' }, { principal });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await rolesOf(holder.id)).toEqual(['member']);
    expect((await call(`/api/v1/roles/${name}`, {}, { principal })).status).toBe(404);
    const entry = await lastAudit('role.deleted', name);
    expect(entry).toMatchObject({ actor_id: id, target_type: 'role' });
    expect(entry?.data).toMatchObject({ permissions: ['jobs:read'], memberCount: 1 });
    const again = await call(`/api/v1/roles/${name}`, { method: 'DELETE' }, { principal });
    expect(again.status).toBe(404);
  });

  it('refuses to delete a built-in role with 409 ROLE_BUILT_IN', async () => {
    const { principal } = await admin();
    for (const name of ['admin', 'member']) {
      const res = await call(`/api/v1/roles/${name}`, { method: 'DELETE' }, { principal });
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe('ROLE_BUILT_IN');
    }
    const count = await env.DB.prepare('SELECT count(*) AS n FROM roles WHERE built_in = 1').first<{ n: number }>();
    expect(count?.n).toBe(2);
  });
});

describe('users: access', () => {
  it.each([
    ['GET', '/api/v1/users'],
    ['GET', '/api/v1/users/usr_0123456789abcdef01234567'],
    ['PATCH', '/api/v1/users/usr_0123456789abcdef01234567'],
    ['PUT', '/api/v1/users/usr_0123456789abcdef01234567/roles'],
  ])('answers %s %s with 401 without a principal', async (method, path) => {
    const res = await call(path, { method, ...(method === 'GET' ? {} : { json: {} }) });
    expect(res.status).toBe(401);
  });

  it('answers 403 to a member, and lets users:read read but not write', async () => {
    const { id } = await createUser();
    const member = await principalFor(id);
    expect((await call('/api/v1/users', {}, { principal: member })).status).toBe(403);
    expect((await call(`/api/v1/users/${id}`, {}, { principal: member })).status).toBe(403);
    const reader = holding('users:read');
    expect((await call(`/api/v1/users/${id}`, {}, { principal: reader })).status).toBe(200);
    const patch = await call(
      `/api/v1/users/${id}`,
      { method: 'PATCH', json: { status: 'disabled' } },
      { principal: reader },
    );
    expect(patch.status).toBe(403);
    const put = await call(`/api/v1/users/${id}/roles`, { method: 'PUT', json: { roles: [] } }, { principal: reader });
    expect(put.status).toBe(403);
    expect(await rolesOf(id)).toEqual(['member']);
  });

  it('does not read the self-service path as a user id', async () => {
    const { id, principal } = await admin();
    const res = await call('/api/v1/users/me', {}, { principal });
    // Answered by the self-service resource, mounted at the more specific prefix; never looked up as a user "me".
    expect(res.status).toBe(200);
    expect((await res.json<User>()).id).toBe(id);
    const put = await call('/api/v1/users/me/roles', { method: 'PUT', json: { roles: [] } }, { principal });
    expect(put.status).toBe(404);
    expect(await rolesOf(id)).toEqual(['admin']);
  });
});

describe('users: reading', () => {
  it('gets a user without secrets, and 404 for unknown ids', async () => {
    const { principal } = await admin();
    const user = await createUser({ name: 'Grace Hopper' });
    const res = await call(`/api/v1/users/${user.id}`, {}, { principal });
    expect(res.status).toBe(200);
    const body = await res.json<User>();
    expect(body).toMatchObject({
      id: user.id,
      email: user.email,
      name: 'Grace Hopper',
      status: 'active',
      roles: ['member'],
    });
    expect(body).not.toHaveProperty('passwordHash');
    for (const id of ['usr_0000000000000000deadbeef', 'not-a-user']) {
      const missing = await call(`/api/v1/users/${id}`, {}, { principal });
      expect(missing.status).toBe(404);
      expect((await problemOf(missing)).code).toBe('NOT_FOUND');
    }
  });

  it('searches email and name, case-insensitively and by substring', async () => {
    const { principal } = await admin();
    const tag = crypto.randomUUID().slice(0, 8);
    const byEmail = await createUser({ email: `ada-${tag}@example.com` });
    const byName = await createUser({ name: `Zed ${tag.toUpperCase()} Lovelace` });
    await createUser();
    const res = await call(`/api/v1/users?q=${tag.toUpperCase()}`, {}, { principal });
    expect(res.status).toBe(200);
    const body = await res.json<Page<User>>();
    expect(body.data.map((u) => u.id).sort()).toEqual([byEmail.id, byName.id].sort());
    expect(body.nextCursor).toBeNull();
    const none = await call(`/api/v1/users?q=${encodeURIComponent('%_')}`, {}, { principal });
    expect((await none.json<Page<User>>()).data).toEqual([]);
  });

  it('filters by status and by role', async () => {
    const { principal } = await admin();
    const name = uniqueRoleName();
    await call('/api/v1/roles', { json: { name, permissions: [] } }, { principal });
    const active = await createUser({ roles: [name] });
    const disabled = await createUser({ roles: [name] });
    await createUser();
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(disabled.id).run();
    const byRole = await (await call(`/api/v1/users?role=${name}`, {}, { principal })).json<Page<User>>();
    expect(byRole.data.map((u) => u.id)).toEqual([active.id, disabled.id]);
    const both = await (await call(`/api/v1/users?role=${name}&status=disabled`, {}, { principal })).json<Page<User>>();
    expect(both.data.map((u) => u.id)).toEqual([disabled.id]);
    const bad = await call('/api/v1/users?status=deleted', {}, { principal });
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).errors?.[0]?.path).toBe('query.status');
  });

  it('pages in a stable (created_at, id) order without repeats or gaps', async () => {
    const { principal } = await admin();
    const tag = crypto.randomUUID().slice(0, 8);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createUser({ name: `pager ${tag} ${i}` }));
    const seen: User[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const res = await call(`/api/v1/users?q=${tag}&limit=2${query}`, {}, { principal });
      expect(res.status).toBe(200);
      const body = await res.json<Page<User>>();
      seen.push(...body.data);
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((u) => u.id).sort()).toEqual(created.map((u) => u.id).sort());
    const keys = seen.map((u) => `${u.createdAt} ${u.id}`);
    expect(keys).toEqual([...keys].sort());
    const all = await (await call('/api/v1/users?limit=100', {}, { principal })).json<Page<User>>();
    const allKeys = all.data.map((u) => `${u.createdAt} ${u.id}`);
    expect(allKeys).toEqual([...allKeys].sort());
  });

  it('answers 400 to a bad limit or cursor', async () => {
    const { principal } = await admin();
    for (const query of ['limit=0', 'limit=101', 'cursor=%21%21']) {
      const res = await call(`/api/v1/users?${query}`, {}, { principal });
      expect(res.status, query).toBe(400);
    }
  });
});

describe('users: status and name', () => {
  it('disables a user, revoking every session, and enables them again', async () => {
    const { id: adminId, principal } = await admin();
    const user = await createUser();
    const sessions = sessionsOf(env, user.id);
    const origin = { ip: '203.0.113.9', userAgent: 'test', method: 'password' };
    const [one, two] = [await sessions.createSession(origin), await sessions.createSession(origin)];
    const res = await call(
      `/api/v1/users/${user.id}`,
      { method: 'PATCH', json: { status: 'disabled' } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: user.id, status: 'disabled' });
    expect(await sessions.isActive(one.sessionId)).toBe(false);
    expect(await sessions.isActive(two.sessionId)).toBe(false);
    const disabled = await lastAudit('user.disabled', user.id);
    expect(disabled).toMatchObject({ actor_id: adminId, target_type: 'user' });
    expect(disabled?.data).toEqual({ before: { status: 'active' }, after: { status: 'disabled' }, sessionsRevoked: 2 });

    const enabled = await call(
      `/api/v1/users/${user.id}`,
      { method: 'PATCH', json: { status: 'active' } },
      { principal },
    );
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ status: 'active' });
    expect((await lastAudit('user.enabled', user.id))?.data).toMatchObject({ after: { status: 'active' } });
  });

  it('renames a user, audited as user.updated, and audits nothing when nothing changed', async () => {
    const { principal } = await admin();
    const user = await createUser({ name: 'Old Name' });
    const res = await call(
      `/api/v1/users/${user.id}`,
      { method: 'PATCH', json: { name: ' New Name ' } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'New Name', status: 'active' });
    expect((await lastAudit('user.updated', user.id))?.data).toEqual({
      before: { name: 'Old Name' },
      after: { name: 'New Name' },
    });
    const before = await auditCount(user.id);
    await call(
      `/api/v1/users/${user.id}`,
      { method: 'PATCH', json: { name: 'New Name', status: 'active' } },
      { principal },
    );
    expect(await auditCount(user.id)).toBe(before);
  });

  it('names the changed user on the forget header, whatever changed', async () => {
    const { principal } = await admin();
    const user = await createUser();
    for (const json of [{ name: 'Renamed' }, { status: 'disabled' }, { status: 'active' }]) {
      const res = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', json }, { principal });
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect(res.headers.get(FORGET_HEADER), JSON.stringify(json)).toBe(`user=${user.id}`);
    }
    const refused = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', json: {} }, { principal });
    expect(refused.status).toBe(400);
    expect(refused.headers.get(FORGET_HEADER)).toBeNull();
  });

  it('does not let an admin disable themself', async () => {
    const { id, principal } = await admin();
    const res = await call(`/api/v1/users/${id}`, { method: 'PATCH', json: { status: 'disabled' } }, { principal });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('CONFLICT');
    const row = await env.DB.prepare('SELECT status FROM users WHERE id = ?').bind(id).first<{ status: string }>();
    expect(row?.status).toBe('active');
  });

  it('does not disable the last active admin when the last two disable each other at once', async () => {
    const a = await admin();
    const b = await admin();
    await onlyAdmin(a.id);
    await env.DB.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'admin')").bind(b.id).run();
    const results = await Promise.all(
      [
        [a, b],
        [b, a],
      ].map(([by, target]) =>
        call(
          `/api/v1/users/${target?.id}`,
          { method: 'PATCH', json: { status: 'disabled' } },
          { principal: by?.principal },
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = results.find((r) => r.status === 409);
    expect(refused && (await problemOf(refused)).detail).toMatch(/last active admin/);
    const active = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE id IN (?, ?) AND status = 'active'")
      .bind(a.id, b.id)
      .first<{ n: number }>();
    expect(active?.n).toBe(1);
    await env.DB.prepare("UPDATE users SET status = 'active' WHERE id IN (?, ?)").bind(a.id, b.id).run();
  });

  it('answers 400 to invalid or empty changes and 404 to an unknown user', async () => {
    const { principal } = await admin();
    const user = await createUser();
    for (const json of [{}, { status: 'deleted' }, { name: '' }, { name: 'x'.repeat(101) }]) {
      const res = await call(`/api/v1/users/${user.id}`, { method: 'PATCH', json }, { principal });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    }
    const missing = await call(
      '/api/v1/users/usr_0000000000000000deadbeef',
      { method: 'PATCH', json: { status: 'disabled' } },
      { principal },
    );
    expect(missing.status).toBe(404);
  });
});

describe('users: roles', () => {
  it('replaces the set of roles, audited before and after', async () => {
    const { id: adminId, principal } = await admin();
    const name = uniqueRoleName();
    await call('/api/v1/roles', { json: { name, permissions: ['jobs:read'] } }, { principal });
    const user = await createUser();
    const res = await call(
      `/api/v1/users/${user.id}/roles`,
      { method: 'PUT', json: { roles: [name, 'member', name] } },
      { principal },
    );
    expect(res.status).toBe(200);
    expect((await res.json<User>()).roles).toEqual(['member', name].sort());
    expect(await rolesOf(user.id)).toEqual(['member', name].sort());
    const entry = await lastAudit('user.roles_changed', user.id);
    expect(entry).toMatchObject({ actor_id: adminId, target_type: 'user' });
    expect(entry?.data).toEqual({
      before: ['member'],
      after: ['member', name].sort(),
      permissionsLost: [],
      sessionsRevoked: 0,
    });
    const none = await call(`/api/v1/users/${user.id}/roles`, { method: 'PUT', json: { roles: [] } }, { principal });
    expect((await none.json<User>()).roles).toEqual([]);
    expect((await principalFor(user.id)).permissions).toEqual([]);
  });

  it('answers 400 naming an unknown role and changes nothing', async () => {
    const { principal } = await admin();
    const user = await createUser();
    const res = await call(
      `/api/v1/users/${user.id}/roles`,
      { method: 'PUT', json: { roles: ['admin', 'no-such-role'] } },
      { principal },
    );
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'roles.1' }] });
    expect(await rolesOf(user.id)).toEqual(['member']);
    for (const json of [{}, { roles: 'admin' }, { roles: [''] }]) {
      const invalid = await call(`/api/v1/users/${user.id}/roles`, { method: 'PUT', json }, { principal });
      expect(invalid.status).toBe(400);
    }
    const missing = await call(
      '/api/v1/users/usr_0000000000000000deadbeef/roles',
      { method: 'PUT', json: { roles: ['member'] } },
      { principal },
    );
    expect(missing.status).toBe(404);
  });

  it('keeps the admin role on the last active admin', async () => {
    const { id } = await createUser({ roles: ['admin', 'member'] });
    const principal = await principalFor(id);
    await onlyAdmin(id);
    const res = await call(`/api/v1/users/${id}/roles`, { method: 'PUT', json: { roles: ['member'] } }, { principal });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('CONFLICT');
    expect(await rolesOf(id)).toEqual(['admin', 'member']);
    // A disabled admin does not count as another admin.
    const disabled = await createUser({ roles: ['admin'] });
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(disabled.id).run();
    const still = await call(`/api/v1/users/${id}/roles`, { method: 'PUT', json: { roles: [] } }, { principal });
    expect(still.status).toBe(409);
    // Keeping admin is fine.
    const same = await call(
      `/api/v1/users/${id}/roles`,
      { method: 'PUT', json: { roles: ['admin', 'member'] } },
      { principal },
    );
    expect(same.status).toBe(200);
  });

  it('lets only one of the last two admins drop admin when both try at once', async () => {
    const [a, b] = await Promise.all(
      [0, 1].map(async () => {
        const { id } = await createUser({ roles: ['admin', 'member'] });
        return { id, principal: await principalFor(id) };
      }),
    );
    if (!a || !b) throw new Error('no admins');
    await onlyAdmin(a.id);
    await env.DB.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'admin')").bind(b.id).run();
    const results = await Promise.all(
      [a, b].map((x) =>
        call(`/api/v1/users/${x.id}/roles`, { method: 'PUT', json: { roles: ['member'] } }, { principal: x.principal }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM user_roles WHERE role = 'admin'").first<{
      n: number;
    }>();
    expect(admins?.n).toBe(1);
  });
});
