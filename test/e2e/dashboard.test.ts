// The analytics dashboard in a real Chromium against the running stack: sign-in with the session cookie, the figures
// it draws equal the stats API's, a period change redraws, a member sees only their own sites, and the page runs
// under the gateway's CSP without a single console error or failed request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { d1FilesWith, seedAnalytics } from '../../scripts/seed-analytics.mjs';
import { DESKTOP_CHROME, launchBrowser, signInWithCookies, watchedPage } from './support/browser.js';
import { api, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';

const ADMIN = { email: 'admin@onasis.local', password: 'e2e-admin-password' };
const DEMO_SITE = 'sit_demo_main';
const CARDS = ['visitors', 'pageviews', 'bounce_rate', 'visit_duration'];

let browser: Browser;

/** The stats API's answer for the admin, as the dashboard asks it. */
async function stats(site: string, params: Record<string, string>): Promise<{ data: unknown }> {
  const res = await api(`/api/v1/analytics/sites/${site}/stats?${new URLSearchParams(params)}`, {
    headers: bearer(await adminToken()),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { data: unknown };
}

/** Waits until the dashboard shows every figure of `period`. */
async function shown(page: Page, period: string): Promise<void> {
  await page.locator(`main[data-period="${period}"][data-state="ready"]`).waitFor({ timeout: 20_000 });
}

/** The figures the page shows: card values, the chart's points and the top pages' values. */
async function figuresOf(page: Page) {
  const cards: Record<string, number> = {};
  for (const name of CARDS) {
    cards[name] = Number(await page.locator(`.cards [data-metric="${name}"]`).getAttribute('data-value'));
  }
  const points: unknown = JSON.parse((await page.locator('#chart').getAttribute('data-points')) ?? 'null');
  const pages = await page
    .locator('table[data-breakdown="page"] tbody tr[data-value]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-value')));
  return { cards, points, pages };
}

/** What the API answers for the same choice. */
async function apiFigures(period: string, interval: string) {
  const aggregate = await stats(DEMO_SITE, { period, metrics: CARDS.join(',') });
  const series = await stats(DEMO_SITE, { period, interval, metrics: 'visitors,pageviews' });
  const top = (await stats(DEMO_SITE, { period, dimension: 'page', metrics: 'visitors,pageviews', limit: '10' }))
    .data as { value: string }[];
  return { cards: aggregate.data, points: series.data, pages: top.map((row) => row.value) };
}

beforeAll(async () => {
  // The running wrangler dev shares this SQLite file: what the seed commits is what the Worker reads next.
  const [sqlitePath] = d1FilesWith(inject('persistTo'), 'rollups_daily');
  if (!sqlitePath) throw new Error('no local analytics database in the e2e state');
  seedAnalytics({ sqlitePath, events: 4000, days: 40, ownerId: 'usr_local_admin' });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('analytics dashboard', () => {
  it('sends an anonymous visitor to sign in, then shows the demo site with the API’s figures', async () => {
    const { page, context, problems } = await watchedPage(browser);
    // Whatever times out below, the report shows what the page met on the way.
    onTestFailed(() => console.error(`dashboard page at ${page.url()}:\n${problems.join('\n')}`));
    await page.goto(`/dashboard#site=${DEMO_SITE}&period=7d`);
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await shown(page, '7d');

    expect(await page.locator('#site').inputValue()).toBe(DEMO_SITE);
    expect(await page.locator('#site option:checked').textContent()).toContain('demo.onasis.local');
    const figures = await figuresOf(page);
    expect(figures).toEqual(await apiFigures('7d', 'day'));
    // The seed wrote traffic on each of these days: a chart of zeros would prove nothing.
    expect(figures.cards.visitors).toBeGreaterThan(0);
    expect((figures.points as unknown[]).length).toBe(7);
    await context.close();
  }, 60_000);

  it('redraws the chart and the cards with the API’s figures when the period changes', async () => {
    const { page, context } = await watchedPage(browser);
    await signInWithCookies(context, ADMIN.email, ADMIN.password);
    await page.goto(`/dashboard#site=${DEMO_SITE}&period=30d`);
    await shown(page, '30d');
    const before = await figuresOf(page);
    expect(before).toEqual(await apiFigures('30d', 'day'));

    await page.locator('#period').selectOption('12mo');
    await shown(page, '12mo');
    const months = await figuresOf(page);
    expect(months).toEqual(await apiFigures('12mo', 'month'));
    expect(months.points).not.toEqual(before.points);
    expect(months.cards.visitors).toBeGreaterThan(before.cards.visitors ?? 0);
    expect(new URL(page.url()).hash).toContain('period=12mo');

    await page.locator('#period').selectOption('day');
    await shown(page, 'day');
    expect(await figuresOf(page)).toEqual(await apiFigures('day', 'hour'));
    await context.close();
  });

  it('shows a member only their own site and no Platform tab', async () => {
    const member = await registeredUser();
    const created = await api(
      '/api/v1/analytics/sites',
      jsonRequest(
        'POST',
        { domain: `member-${crypto.randomUUID().slice(0, 8)}.example.com`, name: 'Member site', timezone: 'UTC' },
        bearer(member.tokens.accessToken),
      ),
    );
    expect(created.status).toBe(201);
    const site = (await created.json()) as { id: string };

    const { page, context } = await watchedPage(browser);
    await signInWithCookies(context, member.email, member.password);
    await page.goto('/dashboard');
    await shown(page, '30d');
    const options = await page.locator('#site option').evaluateAll((all) => all.map((o) => o.getAttribute('value')));
    expect(options).toEqual([site.id]);
    await expect.poll(() => page.locator('#tab-platform').isHidden()).toBe(true);
    expect(await page.locator('#tab-site').isVisible()).toBe(true);

    // Asked for the demo site by its id, the page still shows only what is theirs.
    await page.goto(`/dashboard#site=${DEMO_SITE}&period=7d`);
    await shown(page, '7d');
    expect(await page.locator('#site').inputValue()).toBe(site.id);
    await context.close();
  });

  it('loads under the gateway’s CSP with no console error and no failed request', async () => {
    const { page, context, problems } = await watchedPage(browser);
    onTestFailed(() => console.error(`dashboard page at ${page.url()}:\n${problems.join('\n')}`));
    await signInWithCookies(context, ADMIN.email, ADMIN.password);
    const res = await page.goto(`/dashboard#site=${DEMO_SITE}&period=30d`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await shown(page, '30d');
    // The chart is drawn by uPlot from the platform's own copy: a canvas proves the library ran under the CSP.
    await page.locator('#chart canvas').waitFor();
    await page.locator('#tab-platform').click();
    await page.locator('#platform-view').waitFor();
    await page.locator('main[data-state="ready"]').waitFor();
    expect(Number(await page.locator('[data-platform="signups"]').getAttribute('data-value'))).toBeGreaterThanOrEqual(
      0,
    );
    // A second load revalidates every file the browser kept (304 Not Modified): the page must come up the same.
    await page.reload();
    await page.locator('main[data-state="ready"]').waitFor({ timeout: 15_000 });
    await page.locator('#platform-view').waitFor({ timeout: 5_000 });
    expect(problems).toEqual([]);
    await context.close();
  });
  it('counts what a page embedding the tracker sends: pageviews, an SPA navigation and a custom event', async () => {
    const domain = `${unique('tracked')}.example`;
    const created = await api(
      '/api/v1/analytics/sites',
      jsonRequest('POST', { domain, name: 'Tracked', timezone: 'UTC' }, bearer(await adminToken())),
    );
    expect(created.status).toBe(201);
    const site = (await created.json()) as { id: string };
    // A website of its own origin (another port of this machine), embedding the script as the README shows.
    const html = `<!doctype html><title>Tracked</title>
      <script>window.onasis = window.onasis || function () { (onasis.q = onasis.q || []).push(arguments) }</script>
      <script defer data-domain="${domain}" data-include-localhost src="${inject('baseUrl')}/js/script.js"></script>`;
    const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { page, context } = await watchedPage(browser, { userAgent: DESKTOP_CHROME });
      const sent = page.waitForResponse((res) => res.url().endsWith('/api/v1/analytics/events'));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect((await sent).status()).toBe(202);
      // Strings: these run in the page, whose globals the Node-side types do not know.
      await page.evaluate("history.pushState({}, '', '/pricing')");
      const answer = await page.evaluate(
        "new Promise((resolve) => onasis('Signup', { props: { plan: 'pro' }, callback: resolve }))",
      );
      expect(answer).toEqual({ status: 202 });
      await context.close();

      // The queue consumer writes them and rebuilds the day: the stats API answers them once it has.
      await expect
        .poll(async () => (await stats(site.id, { period: 'day', metrics: 'visitors,pageviews,events' })).data, {
          timeout: 20_000,
          interval: 500,
        })
        .toEqual({ visitors: 1, pageviews: 2, events: 1 });
      const pages = (await stats(site.id, { period: 'day', dimension: 'page', metrics: 'pageviews' })).data;
      expect(pages).toEqual(
        expect.arrayContaining([
          { value: '/', pageviews: 1 },
          { value: '/pricing', pageviews: 1 },
        ]),
      );
    } finally {
      server.close();
    }
  });
});
