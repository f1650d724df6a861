// A real Chromium for the end-to-end suite: Debian's `chromium` (installed by .ci/run) driven by playwright-core,
// with every page watched for what a user would not see but a broken page shows: console errors (CSP violations
// among them), uncaught exceptions, failed requests and error responses.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** Where Debian installs Chromium; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium; the suite runs as root in a container, so without its sandbox. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A page in a fresh context (its own cookies), and everything that went wrong on it so far. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors, failed requests and responses of status 400 or more, in order. */
  problems: string[];
}

/** A new context on the running gateway (`options` as Playwright's) with one page, watched from its first request. */
export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: inject('baseUrl'), ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A navigation cancels what the page left in flight: the browser's doing, not a failure of the page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return { context, page, problems };
}

/** Signs the context in with session cookies, as the sign-in page does, without going through the page. */
export async function signInWithCookies(context: BrowserContext, email: string, password: string): Promise<void> {
  const res = await context.request.post('/auth/login', { data: { email, password, cookie: true } });
  if (res.status() !== 200) throw new Error(`cookie sign-in failed: ${res.status()} ${await res.text()}`);
}

/** The User-Agent of a desktop Chrome: headless Chromium names itself `HeadlessChrome`, which ingest drops as a bot. */
export const DESKTOP_CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
