// The console's business pages in a real Chromium: a payment refunded in two parts from its page with the ledger
// staying balanced, disputes and reconciliation runs, a member's file browser (upload, download, trash), storage
// figures, and the analytics sites linking to the dashboard.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { type ConsoleUser, checkPage, consolePage, consoleUser, SEEDED_ADMIN } from './support/console.js';
import { api, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';
import { confirm, createPayment, expectLedgerBalanced, type Payment, reaches } from './support/payments.js';

let browser: Browser;
let admin: string;

async function getJson<T>(path: string, token = admin): Promise<T> {
  const res = await api(path, { headers: bearer(token) });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A member's sandbox payment of `amount` cents, paid by card and succeeded. */
async function paidPayment(token: string, amount: number): Promise<Payment> {
  const payment = await createPayment(token, amount);
  expect((await confirm(token, payment.id, 'pm_card_visa')).status).toBe(200);
  return reaches(token, payment.id, 'succeeded');
}

/** `probe` until it answers something, bounded, as an operator refreshing a page would. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 20_000; ; ) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`still no ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A console page as `who`. */
const open = (who: ConsoleUser, path: string) => consolePage(browser, who, path);

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await adminToken();
});

afterAll(async () => {
  await browser?.close();
});

describe('console: payments', () => {
  it('refunds a payment and sees the ledger stay balanced', async () => {
    const member = (await registeredUser()).tokens.accessToken;
    const payment = await paidPayment(member, 2500);

    const { page, problems, context } = await open(SEEDED_ADMIN, '/console/payments?status=succeeded&provider=sandbox');
    const row = page.locator(`tr[data-key="${payment.id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/succeeded.*\$25\.00.*sandbox/);
    await checkPage(page, 'payments-list');

    await row.getByRole('link').first().click();
    await page.waitForURL(`**/console/payments/${payment.id}`);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.locator('li[data-kind="captured"]').waitFor();
    await expect(page.getByRole('table', { name: 'Refunds, newest first' }).count()).resolves.toBe(0);
    await checkPage(page, 'payments-detail');

    // A part of it, confirmed before anything moves.
    await page.getByLabel('Amount (USD)').fill('10.00');
    await page.getByLabel('Reason (optional)').fill('requested_by_customer');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    await expect(page.locator('fieldset.confirm legend').textContent()).resolves.toContain('$10.00 of $25.00');
    await page.getByRole('button', { name: 'Confirm refund' }).click();
    await timeline.locator('li[data-kind="refunded"]').waitFor();
    const refunds = page.getByRole('table', { name: 'Refunds, newest first' });
    await expect(refunds.locator('tbody tr').count()).resolves.toBe(1);
    await expect(refunds.textContent()).resolves.toMatch(/\$10\.00.*succeeded/);
    expect((await getJson<Payment>(`/api/v1/payments/intents/${payment.id}`)).amountRefunded).toBe(1000);

    // The rest: an empty amount refunds all that is left.
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    await expect(page.locator('fieldset.confirm legend').textContent()).resolves.toContain('$15.00 of $25.00');
    await page.getByRole('button', { name: 'Confirm refund' }).click();
    await page.getByText('Nothing is left to refund.').waitFor();
    await expect(timeline.locator('li[data-kind="refunded"]').count()).resolves.toBe(2);
    await expect(refunds.locator('tbody tr').count()).resolves.toBe(2);
    const after = await getJson<Payment>(`/api/v1/payments/intents/${payment.id}`);
    expect(after).toMatchObject({ amountCaptured: 2500, amountRefunded: 2500 });
    const events = await getJson<{ data: { kind: string; amount: number }[] }>(
      `/api/v1/payments/intents/${payment.id}/events`,
    );
    expect(events.data.filter((e) => e.kind === 'refunded').map((e) => e.amount)).toEqual([1000, 1500]);

    await page.getByRole('link', { name: 'Ledger' }).click();
    await page.waitForURL('**/console/payments/ledger');
    await page.getByRole('button', { name: 'Verify ledger' }).click();
    await expect(page.locator('.verdict').textContent()).resolves.toMatch(/^Balanced: \d+ transactions/);
    await expect(page.getByRole('table', { name: 'Balance per account' }).textContent()).resolves.toContain(
      'provider:sandbox',
    );
    await page.getByRole('table', { name: 'Ledger transactions, newest first' }).waitFor();
    await checkPage(page, 'payments-ledger');
    await expectLedgerBalanced();

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows disputes, one dispute and the reconciliation runs', async () => {
    const member = (await registeredUser()).tokens.accessToken;
    const payment = await paidPayment(member, 1800);
    const opened = await api(
      '/api/v1/payments/disputes/sandbox',
      jsonRequest('POST', { paymentId: payment.id }, bearer(admin)),
    );
    expect(opened.status, await opened.clone().text()).toBe(202);
    const { disputeId } = (await opened.json()) as { disputeId: string };
    await until('dispute', async () => {
      const res = await api(`/api/v1/payments/disputes/${disputeId}`, { headers: bearer(admin) });
      return res.status === 200 ? true : undefined;
    });

    const { page, problems, context } = await open(SEEDED_ADMIN, '/console/payments/disputes');
    const row = page.locator(`tr[data-key="${disputeId}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('$18.00');
    await checkPage(page, 'payments-disputes');
    await row.getByRole('link', { name: disputeId }).click();
    await page.waitForURL(`**/console/payments/disputes/${disputeId}`);
    await expect(page.locator('main .details').textContent()).resolves.toContain(payment.id);
    await checkPage(page, 'payments-dispute');

    await page.goto('/console/payments/reconciliation');
    await page.locator('main table, main .empty').first().waitFor();
    const runs = await getJson<{ data: { id: string }[] }>('/api/v1/payments/reconciliation-runs');
    if (runs.data.length === 0) {
      await expect(page.locator('main .empty').textContent()).resolves.toContain('No reconciliation has run yet');
    } else {
      const first = runs.data[0]?.id ?? '';
      await page.locator(`tr[data-key="${first}"]`).waitFor();
      await page.locator(`tr[data-key="${first}"]`).getByRole('link').click();
      await page.waitForURL(`**/console/payments/reconciliation/${first}`);
      await page.getByRole('heading', { name: 'Mismatches' }).waitFor();
      await checkPage(page, 'payments-reconciliation-run');
      await page.goto('/console/payments/reconciliation');
      await page.locator('main table').waitFor();
    }
    await checkPage(page, 'payments-reconciliation');

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('console: files', () => {
  it('browses, uploads and trashes files', async () => {
    const member = await consoleUser();
    const bytes = Buffer.from(`hello from the console ${unique('file')}\n`);
    const name = 'console-note.txt';
    const { page, problems, context } = await open(member, '/console/files');
    await page.getByText('No files here.').waitFor();

    await page.getByLabel('File').setInputFiles({ name, mimeType: 'text/plain', buffer: bytes });
    await page.getByLabel('Into folder').fill('notes/2026');
    await page.getByRole('button', { name: 'Upload' }).click();
    const link = page.getByRole('link', { name });
    await link.waitFor();
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('notes/2026');
    const download = await context.request.get((await link.getAttribute('href')) ?? '');
    expect(download.status()).toBe(200);
    expect(Buffer.from(await download.body()).equals(bytes)).toBe(true);

    // The folder, opened from the row: a shareable URL.
    await page.getByRole('button', { name: 'notes/2026' }).click();
    await page.waitForURL(/folder=notes%2F2026/);
    await link.waitFor();
    await checkPage(page, 'files-browser');

    await page.getByRole('button', { name: `Trash ${name}` }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No files here.').waitFor();
    const trash = await context.request.get('/api/v1/files?trashed=true');
    const trashed = (await trash.json()) as { data: { name: string; folder: string; status: string }[] };
    expect(trashed.data).toEqual([expect.objectContaining({ name, folder: 'notes/2026', status: 'trashed' })]);

    expect(problems).toEqual([]);
    await context.close();

    // The admin's storage page: the figures, and this member's usage (the trash still counts).
    const admin = await open(SEEDED_ADMIN, `/console/storage?userId=${member.id}`);
    await admin.page.getByRole('heading', { name: `Usage of ${member.id}` }).waitFor();
    await expect(admin.page.locator('main .details').textContent()).resolves.toMatch(/Files1 of \d+/);
    await expect(admin.page.locator('.cards').textContent()).resolves.toContain('Saved by deduplication');
    await checkPage(admin.page, 'files-storage');
    expect(admin.problems).toEqual([]);
    await admin.context.close();
  }, 120_000);
});

describe('console: analytics', () => {
  it('lists the sites with a link to the dashboard, and the platform figures', async () => {
    const name = unique('Console shop');
    const res = await api(
      '/api/v1/analytics/sites',
      jsonRequest(
        'POST',
        { domain: `${unique('shop').toLowerCase()}.example.com`, name, timezone: 'UTC' },
        bearer(admin),
      ),
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const site = (await res.json()) as { id: string };

    const { page, problems, context } = await open(SEEDED_ADMIN, '/console/analytics');
    const link = page.getByRole('link', { name: `Open the dashboard of ${name}` });
    await link.waitFor();
    await expect(link.getAttribute('href')).resolves.toBe(`/dashboard#site=${site.id}`);
    await expect(page.locator('.cards').textContent()).resolves.toContain('Signups');
    await checkPage(page, 'analytics');
    expect(problems).toEqual([]);
    await link.click();
    await page.waitForURL(`**/dashboard#site=${site.id}`);
    await context.close();
  }, 120_000);
});
