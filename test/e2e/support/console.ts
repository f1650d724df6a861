// The operator console in a real Chromium: signed-in pages, the accessibility check every page must pass, and the
// screenshots kept as test artifacts (test/e2e/artifacts/console/, not committed; CI keeps the directory).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';
import { signInWithCookies, type WatchedPage, watchedPage } from './browser.js';
import { api } from './http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './identity.js';

/** Where screenshots of console pages go. */
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts', 'console');

/** Someone who signs in to the console. */
export interface ConsoleUser {
  id: string;
  email: string;
  password: string;
}

/** The seeded admin of the e2e stack (no second factor: other files sign in as it too). */
export const SEEDED_ADMIN: ConsoleUser = {
  id: 'usr_local_admin',
  email: 'admin@onasis.local',
  password: 'e2e-admin-password',
};

/** A fresh verified user with the given roles (default: member only). */
export async function consoleUser(roles: string[] = ['member']): Promise<ConsoleUser> {
  const user = await registeredUser();
  if (roles.join() !== 'member') {
    const res = await api(`/api/v1/users/${user.id}/roles`, jsonRequest('PUT', { roles }, bearer(await adminToken())));
    expect(res.status, await res.clone().text()).toBe(200);
  }
  return { id: user.id, email: user.email, password: user.password };
}

/**
 * A page of a fresh browser context signed in as `who` (null: nobody) with the platform's session cookies (as the
 * console's sign-in page leaves them), opened at `path` and settled. Its waits fail with their locator well before
 * the test's own timeout; if the test fails, the report shows what went wrong on the page and keeps a screenshot.
 */
export async function consolePage(browser: Browser, who: ConsoleUser | null, path = '/console'): Promise<WatchedPage> {
  const watched = await watchedPage(browser);
  watched.page.setDefaultTimeout(15_000);
  onTestFailed(async ({ task }) => {
    if (watched.page.isClosed()) return;
    console.error(`page ${watched.page.url()}:`, watched.problems);
    await screenshot(watched.page, `failed-${task.name.replaceAll(/\W+/g, '-')}`);
  });
  if (who) await signInWithCookies(watched.context, who.email, who.password);
  await watched.page.goto(path);
  await watched.page.locator('main h1').first().waitFor();
  return watched;
}

/** Fails with the list of violations when axe finds a serious or critical one on the page as it is now. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious, `axe on ${name}`).toEqual([]);
}

/** Keeps a full-page PNG of the page under ARTIFACTS as `<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Both checks every console page gets once it shows its data: accessible, and kept as a screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await screenshot(page, name);
}
