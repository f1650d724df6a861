import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { checkoutSessions, customers, invoices, ledgerEntries, paymentIntents, refunds } from '../src/db/schema.js';
import { act, BOB, call, checkLedgerAfterEach, createPayment } from './helpers.js';
import { jobRun } from './job-helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

/** A user with a paid, partly refunded payment, a checkout session, an invoice and a customer at the sandbox. */
async function userWithHistory() {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  const me: Principal = {
    userId,
    sessionId: `ses_${userId}`,
    permissions: ['payments:read', 'payments:write'],
    via: 'access_token',
  };
  const payment = await createPayment(
    { description: 'Blue teapot for Ada Lovelace', metadata: { address: '12 Rue X' } },
    me,
  );
  expect((await act(payment.id, 'confirm', { paymentMethod: 'pm_card_visa' }, me)).status).toBe(200);
  const refund = await call(
    `/api/v1/payments/intents/${payment.id}/refunds`,
    { json: { amount: 500, reason: 'Ada changed her mind' } },
    me,
  );
  expect(refund.status).toBe(201);
  const sessionId = `cs_${crypto.randomUUID().replaceAll('-', '')}`;
  await db.batch([
    db
      .insert(customers)
      .values({ id: `cus_${userId}`, userId, provider: 'sandbox', providerCustomerId: `sbx_cus_${userId}` }),
    db.insert(checkoutSessions).values({
      id: sessionId,
      userId,
      provider: 'sandbox',
      mode: 'payment',
      lineItems: [{ name: 'Teapot engraved "Ada"', amount: 2000, currency: 'usd', quantity: 1 }],
      amountTotal: 2000,
      currency: 'usd',
      status: 'complete',
      url: '/api/v1/payments/checkout-sessions/x/sandbox',
      successUrl: 'https://shop.example/thanks?name=ada',
      cancelUrl: 'https://shop.example/cart?name=ada',
    }),
    db.insert(invoices).values({
      id: `inv_${userId}`,
      userId,
      provider: 'sandbox',
      providerInvoiceId: `sbx_in_${userId}`,
      status: 'paid',
      amountDue: 2000,
      amountPaid: 2000,
      currency: 'usd',
      hostedInvoiceUrl: 'https://invoice.example/ada',
    }),
  ]);
  return { userId, paymentId: payment.id, sessionId };
}

describe('payments.erase-user', () => {
  it('removes personal data and the customer link, and keeps amounts, statuses and the ledger', async () => {
    const { userId, paymentId, sessionId } = await userWithHistory();
    const other = await createPayment({ description: "Bob's order" }, BOB);
    const entriesBefore = (await db.select().from(ledgerEntries)).length;

    const outcome = await exports.PaymentsService.runJob(jobRun('payments.erase-user', { userId }));
    expect(outcome).toEqual({
      ok: true,
      data: { payments: 1, refunds: 1, checkoutSessions: 1, invoices: 1, customerDeleted: true },
    });

    const payment = await db.select().from(paymentIntents).where(eq(paymentIntents.id, paymentId)).get();
    expect(payment).toMatchObject({
      userId,
      status: 'succeeded',
      amount: 2000,
      amountCaptured: 2000,
      amountRefunded: 500,
    });
    expect(payment).toMatchObject({ description: null, metadata: null, clientSecret: null });
    const [refund] = await db.select().from(refunds).where(eq(refunds.paymentId, paymentId));
    expect(refund).toMatchObject({ amount: 500, status: 'succeeded', reason: null });
    const session = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, sessionId)).get();
    expect(session).toMatchObject({ successUrl: '', cancelUrl: '', url: null, amountTotal: 2000 });
    expect(session?.lineItems).toEqual([{ name: '', amount: 2000, currency: 'usd', quantity: 1 }]);
    const invoice = await db.select().from(invoices).where(eq(invoices.userId, userId)).get();
    expect(invoice).toMatchObject({ amountPaid: 2000, status: 'paid', hostedInvoiceUrl: null });
    const customer = await db.select().from(customers).where(eq(customers.userId, userId)).get();
    expect(customer).toMatchObject({ userId, providerCustomerId: null });
    expect((await db.select().from(ledgerEntries)).length).toBe(entriesBefore);
    const bob = await db.select().from(paymentIntents).where(eq(paymentIntents.id, other.id)).get();
    expect(bob?.description).toBe("Bob's order");
  });

  it('changes nothing when run again', async () => {
    const { userId, paymentId } = await userWithHistory();
    await exports.PaymentsService.runJob(jobRun('payments.erase-user', { userId }));
    const before = await db.select().from(paymentIntents).where(eq(paymentIntents.id, paymentId)).get();
    const again = await exports.PaymentsService.runJob(jobRun('payments.erase-user', { userId }));
    expect(again).toEqual({
      ok: true,
      data: { payments: 0, refunds: 0, checkoutSessions: 0, invoices: 0, customerDeleted: false },
    });
    expect(await db.select().from(paymentIntents).where(eq(paymentIntents.id, paymentId)).get()).toEqual(before);
  });

  it('refuses a payload without a user id, without retrying', async () => {
    expect(await exports.PaymentsService.runJob(jobRun('payments.erase-user', {}))).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});
