// The console as the platform serves it: its page and assets with the right caching and CSP, the sign-in page, and
// the overview an operator lands on, in a real Chromium without a console error or failed request.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { launchBrowser, watchedPage } from './support/browser.js';
import { checkPage, consolePage, SEEDED_ADMIN } from './support/console.js';
import { api } from './support/http.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('console pages and assets', () => {
  it('serves one page for every console path, under a CSP that allows no inline script', async () => {
    for (const path of ['/console', '/console/users/usr_deep_link', '/console/sign-in']) {
      const res = await api(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    const html = await (await api('/console')).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await api(script ?? '');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await api('/console/assets/missing-0000.js')).status).toBe(404);
  });

  it('sends a visitor without a session to sign in, and says why a wrong password fails', async () => {
    const { page, problems } = await watchedPage(browser);
    onTestFailed(() => console.error(`sign-in page at ${page.url()}:\n${problems.join('\n')}`));
    await page.goto('/console/jobs?status=dead');
    await page.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Fjobs%3Fstatus%3Ddead$/);
    await page.getByRole('heading', { name: 'Sign in to the Onasis Console' }).waitFor();
    await checkPage(page, 'sign-in');
    // With the keyboard alone: the form's fields come first in tab order and Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.type(SEEDED_ADMIN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Request ID\s*req_|Request ID\s*[0-9a-f-]{8,}/i);

    await page.getByLabel('Password').fill(SEEDED_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the visitor was going, filters and all.
    await page.waitForURL((url) => url.pathname === '/console/jobs' && url.search === '?status=dead');
    // The session is in HttpOnly cookies only: nothing readable by script, nothing stored.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
  });
});

describe('overview', () => {
  it('shows every service with its health and the platform’s traffic figures', async () => {
    const { page, problems } = await consolePage(browser, SEEDED_ADMIN);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')))).toEqual([
      'identity',
      'payments',
      'notifications',
      'analytics',
      'files',
      'jobs',
      'gateway',
    ]);
    // Every service answers its health check on the running stack.
    expect(await page.locator('table tbody tr[data-key="identity"] .badge').first().textContent()).toBe('ok');
    expect(Number(await page.locator('[data-figure="requests"] .value').textContent())).toBeGreaterThan(0);
    await page.locator('[data-figure="dead-jobs"]').waitFor({ timeout: 10_000 });
    // Each area the admin holds is one link away.
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const name of [
      'Users',
      'Audit log',
      'Jobs',
      'Notifications',
      'Payments',
      'Files',
      'Analytics',
      'My account',
    ]) {
      expect(await nav.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    }
    await checkPage(page, 'overview');
    expect(problems).toEqual([]);
  });
});
