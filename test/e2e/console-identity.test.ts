// The console's identity pages in a real Chromium: an admin enrols an authenticator on My account and signs in with
// it; disables a user whose open session then stops working; ends another user's session and revokes their key;
// edits roles and verifies the audit chain; and a member reaches none of the admin pages, by link or by URL.
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type WatchedPage } from './support/browser.js';
import { type ConsoleUser, checkPage, consolePage, consoleUser, SEEDED_ADMIN } from './support/console.js';
import { api, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';

let browser: Browser;
let token: string;

/** The code an authenticator shows for `secret`, `offsetSteps` periods from now. */
function codeOf(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

async function adminGet<T>(path: string): Promise<T> {
  const res = await api(path, { headers: bearer(token) });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The status `/api/v1/users/me` answers `accessToken`, once it is `want` (the gateway's cache bounds the wait). */
async function meStatusBecomes(accessToken: string, want: number): Promise<number> {
  for (const deadline = Date.now() + 35_000; ; ) {
    const { status } = await api('/api/v1/users/me', { headers: bearer(accessToken) });
    if (status === want || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function confirmAction(page: Page, scope: ReturnType<Page['locator']>, label: string): Promise<void> {
  await scope.getByRole('button', { name: label, exact: true }).click();
  await scope.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForLoadState('networkidle');
}

/** A console page as `who` (null: signed out). */
const openPage = (who: ConsoleUser | null, path: string): Promise<WatchedPage> => consolePage(browser, who, path);

beforeAll(async () => {
  browser = await launchBrowser();
  token = await adminToken();
});

afterAll(async () => {
  await browser?.close();
});

describe('console: identity', () => {
  it('the admin signs in with MFA', async () => {
    const admin = await consoleUser(['admin']);
    const { page, problems, context } = await openPage(admin, '/console/account');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator' }).click();
    const secret = (await page.locator('#totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await expect(page.getByRole('img', { name: 'QR code of your authenticator secret' }).isVisible()).resolves.toBe(
      true,
    );
    await page.getByLabel('Code from your app').fill(codeOf(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).locator('li');
    await codes.first().waitFor();
    await expect(codes.count()).resolves.toBe(10);
    await page.getByText('Signing in asks for a code').waitFor();
    await checkPage(page, 'account');
    const me = (await (
      await api('/auth/login', jsonRequest('POST', { email: admin.email, password: admin.password }))
    ).json()) as { mfaRequired?: boolean };
    expect(me.mfaRequired).toBe(true);

    await page.locator('.topbar').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/console/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code').fill(codeOf(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/console');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("disables a user, and that user's open session stops working", async () => {
    const member = await registeredUser();
    expect((await api('/api/v1/users/me', { headers: bearer(member.tokens.accessToken) })).status).toBe(200);
    const { page, problems, context } = await openPage(
      SEEDED_ADMIN,
      `/console/users?q=${encodeURIComponent(member.email)}`,
    );
    const row = page.locator(`tr[data-key="${member.id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Active');
    await checkPage(page, 'users-list');

    await row.getByRole('link', { name: member.email }).click();
    await page.waitForURL(`**/console/users/${member.id}`);
    await page.getByRole('heading', { level: 1, name: member.email }).waitFor();
    await page.getByRole('table', { name: 'Live sessions' }).waitFor();
    await checkPage(page, 'users-detail');
    await confirmAction(page, page.locator('.row-actions'), 'Disable user');
    await page.locator('.details .badge', { hasText: 'Disabled' }).waitFor();
    expect((await adminGet<{ status: string }>(`/api/v1/users/${member.id}`)).status).toBe('disabled');
    expect(await meStatusBecomes(member.tokens.accessToken, 401)).toBe(401);

    await page.getByRole('button', { name: 'Enable user' }).click();
    await page.locator('.details .badge', { hasText: 'Active' }).waitFor();
    expect((await adminGet<{ status: string }>(`/api/v1/users/${member.id}`)).status).toBe('active');

    // The audit log shows the change, and the chain still verifies.
    await page.goto(`/console/audit-logs?action=user.disabled&targetId=${member.id}`);
    await page.locator('tbody tr').first().waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText('Chain intact.').waitFor();
    await checkPage(page, 'audit-log');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000); // the gateway may trust a cached session for up to 30 s

  it("revokes another user's session and API key from their user page", async () => {
    const member = await registeredUser();
    const key = await api(
      '/api/v1/users/me/api-keys',
      jsonRequest('POST', { name: 'e2e key', scopes: ['files:read'] }, bearer(member.tokens.accessToken)),
    );
    expect(key.status).toBe(201);
    const { page, problems, context } = await openPage(SEEDED_ADMIN, `/console/users/${member.id}`);
    const sessions = page.getByRole('table', { name: 'Live sessions' });
    await sessions.waitFor();
    await expect(sessions.locator('tbody tr').count()).resolves.toBe(1);
    await confirmAction(page, sessions, 'End session');
    await page.getByText('No live sessions.').waitFor();
    expect(await meStatusBecomes(member.tokens.accessToken, 401)).toBe(401);

    const keys = page.getByRole('table', { name: 'API keys' });
    await keys.getByText('e2e key').waitFor();
    await confirmAction(page, keys, 'Revoke');
    await page.getByText('No API keys.').waitFor();
    expect((await adminGet<{ data: unknown[] }>(`/api/v1/users/${member.id}/api-keys`)).data).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000); // the gateway may trust a cached session for up to 30 s

  it('creates a role with chosen permissions, and deletes it', async () => {
    const name = unique('e2e-role-')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40);
    const { page, problems, context } = await openPage(SEEDED_ADMIN, '/console/roles');
    await page.getByRole('heading', { name: 'admin' }).waitFor();
    const form = page.getByRole('form', { name: 'New role' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Description').fill('Made by the console journey');
    await form.getByLabel('files:read').check();
    await form.getByLabel('jobs:read').check();
    await form.getByRole('button', { name: 'Create role' }).click();
    const card = page.locator('article.role-card', { has: page.getByRole('heading', { name }) });
    await card.waitFor();
    expect((await adminGet<{ permissions: string[] }>(`/api/v1/roles/${name}`)).permissions.sort()).toEqual([
      'files:read',
      'jobs:read',
    ]);
    await card.getByLabel('jobs:read').uncheck();
    await card.getByRole('button', { name: 'Save permissions' }).click();
    await expect
      .poll(async () => (await adminGet<{ permissions: string[] }>(`/api/v1/roles/${name}`)).permissions)
      .toEqual(['files:read']);
    await checkPage(page, 'roles');
    await confirmAction(page, card, `Delete ${name}`);
    await card.waitFor({ state: 'detached' });
    expect((await api(`/api/v1/roles/${name}`, { headers: bearer(token) })).status).toBe(404);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the API's refusal when a role change goes beyond the caller's own", async () => {
    // An operator who may change users but is no admin: the console offers every role, the API refuses the admin one.
    const role = unique('e2e-ops-')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40);
    const made = await api(
      '/api/v1/roles',
      jsonRequest('POST', { name: role, permissions: ['users:read', 'users:write', 'roles:read'] }, bearer(token)),
    );
    expect(made.status, await made.clone().text()).toBe(201);
    const operator = await consoleUser(['member', role]);
    const target = await registeredUser();
    const { page, problems, context } = await openPage(operator, `/console/users/${target.id}`);
    const form = page.getByRole('form', { name: 'Roles' });
    await form.getByLabel('admin').check();
    await form.getByRole('button', { name: 'Save roles' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('Only an admin can grant or remove the admin role');
    await expect(alert.locator('.request-id').textContent()).resolves.toMatch(/^req_/);
    expect((await adminGet<{ roles: string[] }>(`/api/v1/users/${target.id}`)).roles).toEqual(['member']);
    // The refused call is the only thing that went wrong on the page (the browser logs it too).
    expect(problems).toEqual([
      `HTTP 403: PUT ${new URL(page.url()).origin}/api/v1/users/${target.id}/roles`,
      'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ]);
    await context.close();
    expect((await api(`/api/v1/roles/${role}`, { method: 'DELETE', headers: bearer(token) })).status).toBe(204);
  });

  it('a member signs in and cannot reach admin pages (neither by link nor by URL)', async () => {
    const member = await consoleUser();
    const watched = await openPage(null, '/console/sign-in');
    const adminCalls: string[] = [];
    watched.page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (/^\/api\/v1\/(users(?!\/me)|roles|audit-logs|jobs)/.test(pathname)) adminCalls.push(pathname);
    });
    const { page, context } = watched;
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The overview needs metrics:read: the home page sends a member to their account.
    await page.waitForURL('**/console/account');
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    const nav = await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
    expect(nav).toContain('My account');
    for (const admin of ['Overview', 'Users', 'Roles', 'Audit log', 'Jobs', 'Notifications'])
      expect(nav).not.toContain(admin);
    for (const path of [
      '/console/users',
      '/console/users/usr_local_admin',
      '/console/roles',
      '/console/audit-logs',
      '/console/jobs',
    ]) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    }
    expect(adminCalls).toEqual([]);
    expect(watched.problems).toEqual([]);
    await context.close();
  });
});
