import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkoutSessions, ledgerTransactions } from '../src/db/schema.js';
import { db, newMember, publicCall, waitForNotices } from './billing-helpers.js';
import { ADMIN, call, checkLedgerAfterEach, getPayment } from './helpers.js';

checkLedgerAfterEach();

const URLS = { successUrl: 'https://shop.example/done', cancelUrl: 'https://shop.example/cart' };
const ITEMS = [
  { name: 'Sticker pack', amount: 500, currency: 'USD', quantity: 2 },
  { name: 'Poster', amount: 1500, currency: 'usd', quantity: 1 },
];

interface Checkout {
  id: string;
  url: string;
  status: string;
  mode: string;
  amountTotal: number;
  currency: string;
  paymentId: string | null;
}

async function startCheckout(as: Awaited<ReturnType<typeof newMember>>, body: Record<string, unknown> = {}) {
  const res = await call(
    '/api/v1/payments/checkout-sessions',
    { json: { mode: 'payment', lineItems: ITEMS, ...URLS, ...body } },
    as,
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Checkout>();
}

describe('sandbox checkout', () => {
  it('answers a session whose url is the sandbox page, with the total of its items', async () => {
    const member = await newMember();
    const session = await startCheckout(member);
    expect(session).toMatchObject({
      status: 'open',
      mode: 'payment',
      amountTotal: 2500,
      currency: 'usd',
      paymentId: null,
    });
    expect(session.id).toMatch(/^cs_/);
    expect(session.url).toBe(`/api/v1/payments/checkout-sessions/${session.id}/sandbox`);
  });

  it('serves a labelled SANDBOX page with the items, the total, Pay and Cancel, under a strict CSP', async () => {
    const session = await startCheckout(await newMember());
    const res = await publicCall(session.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self' https://shop.example");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('SANDBOX');
    expect(html).toContain('Sticker pack');
    expect(html).toContain('25.00 USD');
    expect(html).toContain(`action="${session.url}/pay"`);
    expect(html).toContain(`action="${session.url}/cancel"`);
    expect(html).not.toContain('<script');
  });

  it('pays on Pay: 303 to the success URL, then a succeeded payment with its capture and a receipt', async () => {
    const member = await newMember();
    const session = await startCheckout(member);
    const res = await publicCall(`${session.url}/pay`, { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(URLS.successUrl);
    const done = await waitForCheckout(member, session.id, 'complete');
    expect(done.paymentId).toMatch(/^pay_/);
    const paymentId = done.paymentId ?? '';
    expect(await getPayment(paymentId, member)).toMatchObject({
      status: 'succeeded',
      amount: 2500,
      amountCaptured: 2500,
    });
    const captures = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, paymentId));
    expect(captures).toHaveLength(1);
    await waitForNotices(member.userId, 'payments.receipt');
  });

  it('sends one completion when Pay is pressed twice: one payment, one capture', async () => {
    const member = await newMember();
    const session = await startCheckout(member);
    await publicCall(`${session.url}/pay`, { method: 'POST' });
    await publicCall(`${session.url}/pay`, { method: 'POST' });
    const done = await waitForCheckout(member, session.id, 'complete');
    const again = await publicCall(`${session.url}/pay`, { method: 'POST' });
    expect(again.status).toBe(303);
    const captures = await db
      .select()
      .from(ledgerTransactions)
      .where(eq(ledgerTransactions.paymentId, done.paymentId ?? ''));
    expect(captures.map((c) => c.sourceKey)).toEqual([`capture:${done.paymentId}:2500`]);
    // A redelivery may ask again; the notifications Worker drops a repeated key, so one receipt reaches the payer.
    const receipts = await waitForNotices(member.userId, 'payments.receipt');
    expect(new Set(receipts.map((n) => n.idempotencyKey))).toEqual(new Set([`receipt:${session.id}`]));
  });

  it('answers the same session to a create retried with the same Idempotency-Key', async () => {
    const member = await newMember();
    const init = { json: { mode: 'payment', lineItems: ITEMS, ...URLS }, headers: { 'idempotency-key': 'order-7' } };
    const first = await call('/api/v1/payments/checkout-sessions', init, member);
    const again = await call('/api/v1/payments/checkout-sessions', init, member);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect((await again.json<Checkout>()).id).toBe((await first.json<Checkout>()).id);
    const rows = await db.select().from(checkoutSessions).where(eq(checkoutSessions.userId, member.userId));
    expect(rows).toHaveLength(1);
  });

  it('leaves on Cancel: 303 to the cancel URL, the session still open and nothing paid', async () => {
    const member = await newMember();
    const session = await startCheckout(member);
    const res = await publicCall(`${session.url}/cancel`, { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(URLS.cancelUrl);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const row = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, session.id)).get();
    expect(row).toMatchObject({ status: 'open', paymentId: null });
  });

  it('answers 404 for the page, Pay and Cancel of an unknown session', async () => {
    const base = '/api/v1/payments/checkout-sessions/cs_unknown/sandbox';
    expect((await publicCall(base)).status).toBe(404);
    expect((await publicCall(`${base}/pay`, { method: 'POST' })).status).toBe(404);
    expect((await publicCall(`${base}/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it("answers 404 for another user's session, and shows it to payments:manage", async () => {
    const session = await startCheckout(await newMember());
    const other = await newMember();
    expect((await call(`/api/v1/payments/checkout-sessions/${session.id}`, {}, other)).status).toBe(404);
    expect((await call(`/api/v1/payments/checkout-sessions/${session.id}`, {}, ADMIN)).status).toBe(200);
  });
});

async function waitForCheckout(
  as: Awaited<ReturnType<typeof newMember>>,
  id: string,
  status: string,
): Promise<Checkout> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await call(`/api/v1/payments/checkout-sessions/${id}`, {}, as);
    const session = await res.json<Checkout>();
    if (session.status === status) return session;
    if (Date.now() > deadline) throw new Error(`checkout ${id} stayed ${session.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('checkout validation', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['no items in mode payment', { lineItems: undefined }],
    ['no items at all', { lineItems: [] }],
    ['21 items', { lineItems: Array.from({ length: 21 }, () => ITEMS[1]) }],
    ['two currencies', { lineItems: [ITEMS[1], { ...ITEMS[1], currency: 'eur' }] }],
    ['a total below the minimum', { lineItems: [{ name: 'Gum', amount: 10, currency: 'usd', quantity: 1 }] }],
    ['a non-integer amount', { lineItems: [{ ...ITEMS[1], amount: 10.5 }] }],
    ['an unknown currency', { lineItems: [{ ...ITEMS[1], currency: 'xyz' }] }],
    ['a card number as a name', { lineItems: [{ ...ITEMS[1], name: '4242 4242 4242 4242' }] }],
    ['an unknown plan', { mode: 'subscription', lineItems: undefined, plan: 'platinum' }],
    ['no plan in mode subscription', { mode: 'subscription', lineItems: undefined }],
    ['an unknown mode', { mode: 'setup' }],
    ['a relative success URL', { successUrl: '/done' }],
    ['a plain http cancel URL', { cancelUrl: 'http://shop.example/cart' }],
    ['a javascript: URL', { successUrl: 'javascript:alert(1)' }],
  ];
  it.each(bad)('refuses %s with 400 VALIDATION_FAILED and records nothing', async (_name, body) => {
    const member = await newMember();
    const res = await call(
      '/api/v1/payments/checkout-sessions',
      { json: { mode: 'payment', lineItems: ITEMS, ...URLS, ...body } },
      member,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const rows = await db.select().from(checkoutSessions).where(eq(checkoutSessions.userId, member.userId));
    expect(rows).toEqual([]);
  });

  it('takes plain http to localhost in the local environment', async () => {
    expect(env.ENVIRONMENT).toBe('local');
    const session = await startCheckout(await newMember(), { successUrl: 'http://localhost:5173/done' });
    expect(session.status).toBe('open');
  });
});
