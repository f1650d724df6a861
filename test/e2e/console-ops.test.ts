// The console's operations pages in a real Chromium: a dead job replayed until it succeeds, the schedules' "Run
// now", the delivery log with a rendered message and its provider outcome, the sandbox outbox, and a template edited
// with its live preview.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type WatchedPage } from './support/browser.js';
import { checkPage, consolePage, SEEDED_ADMIN } from './support/console.js';
import { api, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';

interface Job {
  id: string;
  status: string;
  attemptLog: { attempt: number; outcome: string | null; error: string | null }[];
}

let browser: Browser;
let token: string;

async function getJson<T>(path: string): Promise<T> {
  const res = await api(path, { headers: bearer(token) });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** The job once it stopped moving (dead, succeeded or cancelled), polled as an operator would, bounded. */
async function settled(id: string): Promise<Job> {
  for (const deadline = Date.now() + 20_000; ; ) {
    const job = await getJson<Job>(`/api/v1/jobs/${id}`);
    if (['succeeded', 'dead', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function createTemplate(body: Record<string, unknown>): Promise<void> {
  const res = await api('/api/v1/notifications/templates', jsonRequest('POST', body, bearer(token)));
  expect(res.status, await res.clone().text()).toBe(201);
}

/**
 * What went wrong on a page, less the one message the checks themselves cause: axe injects its script into every
 * frame, and a message's sandboxed frame refuses it, as it must.
 */
const pageProblems = (problems: string[]) => problems.filter((p) => !p.includes("script execution in 'about:srcdoc'"));

/** The admin's console at `path`. */
const adminPage = (path: string): Promise<WatchedPage> => consolePage(browser, SEEDED_ADMIN, path);

beforeAll(async () => {
  browser = await launchBrowser();
  token = await adminToken();
});

afterAll(async () => {
  await browser?.close();
});

describe('console: jobs', () => {
  it('replays a dead job and sees it succeed', async () => {
    // A send of a template that does not exist yet dies at once (not retryable); once the template exists, the
    // replay of the very same payload succeeds.
    const template = unique('e2e.console-replay-').toLowerCase();
    const user = await registeredUser();
    const enqueued = await api(
      '/api/v1/jobs',
      jsonRequest(
        'POST',
        {
          type: 'notifications.send',
          payload: { to: user.id, template, data: { who: 'Ada' }, idempotencyKey: unique('console-replay') },
        },
        bearer(token),
      ),
    );
    expect(enqueued.status).toBe(201);
    const { id } = (await enqueued.json()) as Job;
    expect((await settled(id)).status).toBe('dead');
    await createTemplate({
      key: template,
      channels: ['email'],
      category: 'product',
      subject: 'Replayed for {{who}}',
      text: 'Hello {{who}}, this came from a replayed job.',
      html: '<p>Hello <strong>{{who}}</strong>, this came from a replayed job.</p>',
    });

    const { page, problems, context } = await adminPage('/console/jobs/dead-letters');
    const row = page.locator(`tr[data-key="${id}"]`);
    await expect(row.textContent()).resolves.toContain('notifications.send');
    await expect(row.textContent()).resolves.toContain(template);
    await checkPage(page, 'jobs-dead-letters');

    await row.getByRole('button', { name: 'Replay' }).click();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`**/console/jobs/${id}`);
    // The job page follows the job by itself until it stops moving.
    await page.locator('.job-status .badge', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    const attempts = page.getByRole('table', { name: 'Attempts, oldest first' });
    await expect(attempts.locator('tbody tr').count()).resolves.toBe(2);
    await expect(attempts.locator('tbody tr').first().textContent()).resolves.toContain(template);
    await expect(page.getByRole('heading', { name: 'Payload' }).isVisible()).resolves.toBe(true);
    await checkPage(page, 'jobs-detail');

    const job = await getJson<Job>(`/api/v1/jobs/${id}`);
    expect(job.status).toBe('succeeded');
    expect(job.attemptLog.map((a) => a.outcome)).toEqual(['failed', 'succeeded']);

    // The list, filtered from the URL by its form: the replayed job among the succeeded sends.
    await page.goto('/console/jobs');
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByLabel('Type').fill('notifications.send');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=succeeded/);
    expect(new URL(page.url()).searchParams.get('type')).toBe('notifications.send');
    // The form shows the filters the URL holds, so a shared link opens with them set.
    expect(await page.getByLabel('Status').inputValue()).toBe('succeeded');
    await page.locator(`tr[data-key="${id}"]`).waitFor();
    await checkPage(page, 'jobs-list');

    // The send the replay made reached the sandbox: its delivery, rendered, with the provider's answer.
    await page.goto(`/console/notifications?recipient=${user.id}&template=${template}`);
    const delivery = page.locator('tbody tr').first();
    await delivery.waitFor();
    await expect(delivery.textContent()).resolves.toContain('sandbox');
    await checkPage(page, 'notifications-deliveries');
    const deliveryId = (await delivery.getAttribute('data-key')) ?? '';
    await delivery.getByRole('link').first().click();
    await page.waitForURL(`**/console/notifications/deliveries/${deliveryId}`);
    await page.getByRole('heading', { name: 'Provider outcome' }).waitFor();
    await expect(page.locator('.message-subject').textContent()).resolves.toBe('Replayed for Ada');
    await expect(page.locator('main').textContent()).resolves.toMatch(/Providersandbox/);
    const frame = page.frameLocator('iframe.message-html');
    await expect(frame.locator('strong').textContent()).resolves.toBe('Ada');
    await expect(page.locator('iframe.message-html').getAttribute('sandbox')).resolves.toBe('');
    // Chromium paints an opaque-origin frame only once it is on screen; the screenshot should show the message.
    await page.locator('iframe.message-html').scrollIntoViewIfNeeded();
    await checkPage(page, 'notifications-delivery');

    // The sandbox outbox: the same message, caught instead of sent.
    await page.goto('/console/notifications/outbox?channel=email');
    await page.locator(`tr[data-key="${deliveryId}"]`).waitFor();
    await expect(page.locator(`tr[data-key="${deliveryId}"]`).textContent()).resolves.toContain('Replayed for Ada');
    await checkPage(page, 'notifications-outbox');

    expect(pageProblems(problems)).toEqual([]);
    await context.close();
  }, 90_000);

  it('runs a schedule now and shows the new run', async () => {
    const { page, problems, context } = await adminPage('/console/jobs/schedules');
    const row = page.locator('tr[data-key="identity-maintenance"]');
    await row.waitFor();
    await checkPage(page, 'jobs-schedules');
    await row.getByRole('button', { name: 'Run identity-maintenance now' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Started a run of identity-maintenance' });
    const jobId = (await notice.locator('code').textContent()) ?? '';
    expect(jobId).toMatch(/^job_/);
    // The table reloads with the new run as the schedule's last.
    await row.locator('code', { hasText: jobId }).waitFor();
    expect((await settled(jobId)).status).toBe('succeeded');
    const schedules = await getJson<{ data: { name: string; lastRun: { jobId: string } | null }[] }>(
      '/api/v1/jobs/schedules',
    );
    expect(schedules.data.find((s) => s.name === 'identity-maintenance')?.lastRun?.jobId).toBe(jobId);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('console: notifications', () => {
  it('edits a template and sees the preview', async () => {
    // A template of this test's own: nothing else reads it, so there is nothing to restore.
    const key = unique('e2e.console-template-').toLowerCase();
    await createTemplate({
      key,
      channels: ['email'],
      category: 'product',
      subject: 'Hello {{name}}',
      text: 'Hi {{name}}, welcome.',
      html: '<p>Hi <em>{{name}}</em></p>',
    });
    const { page, problems, context } = await adminPage('/console/notifications/templates');
    const link = page.getByRole('link', { name: key });
    await link.waitFor();
    await checkPage(page, 'notifications-templates');
    await link.click();
    await page.getByRole('heading', { name: `Template ${key}` }).waitFor();
    // The first preview renders the stored version with sample variables named after each variable.
    await expect(page.locator('.message-text').textContent()).resolves.toBe('Hi name, welcome.');

    await page.getByLabel('Sample variables (JSON)').fill('{ "name": "Grace" }');
    await page.getByLabel('Text', { exact: true }).fill('Dear {{name}}, your draft is live.');
    // Rendered by the server from the unsaved draft, a moment after the typing stops.
    await page.locator('.message-text', { hasText: 'Dear Grace, your draft is live.' }).waitFor();
    await expect(page.locator('.message-subject').textContent()).resolves.toBe('Hello Grace');
    await expect(page.frameLocator('iframe.message-html').locator('em').textContent()).resolves.toBe('Grace');
    await checkPage(page, 'notifications-template-editor');
    // Nothing is saved by a preview.
    const before = await getJson<{ versions: { version: number; text: string }[] }>(
      `/api/v1/notifications/templates/${key}`,
    );
    expect(before.versions.map((v) => v.version)).toEqual([1]);

    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved version 2' }).waitFor();
    const after = await getJson<{ versions: { version: number; text: string }[] }>(
      `/api/v1/notifications/templates/${key}`,
    );
    expect(after.versions[0]).toMatchObject({ version: 2, text: 'Dear {{name}}, your draft is live.' });

    // A draft mustache cannot parse: the preview says why, with the problem's request id.
    await page.getByLabel('Text', { exact: true }).fill('Broken {{#open}}');
    const failure = page.getByRole('alert').filter({ hasText: 'The preview failed' });
    await failure.waitFor();
    await expect(failure.locator('.request-id').textContent()).resolves.toMatch(/\S/);
    // The only failed request of the page is that preview.
    expect(problems).toContainEqual(expect.stringMatching(/^HTTP 400: POST .*\/preview$/));
    expect(pageProblems(problems).filter((p) => !p.includes('400'))).toEqual([]);
    await context.close();
  }, 60_000);
});
