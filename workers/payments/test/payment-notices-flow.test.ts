import { recordedMessages, waitForRecorded } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { act, call, checkLedgerAfterEach, createPayment, paidPayment, waitForStatus } from './helpers.js';

// The notices of the payment side as the routes and the event consumer send them: on the notifications queue, which
// the recorder reads as `test-notifications`.
checkLedgerAfterEach();

interface Notice {
  to: string;
  template: string;
  idempotencyKey: string;
  category: string;
  data: Record<string, unknown>;
}

const noticesAbout = async (id: string) =>
  ((await recordedMessages('test-notifications')) as unknown as Notice[]).filter(
    (n) => n.data.paymentId === id || n.data.refundId === id,
  );

const waitForNotice = (template: string, id: string) =>
  waitForRecorded('test-notifications', (messages) =>
    (messages as unknown as Notice[]).some(
      (n) => n.template === template && (n.data.paymentId === id || n.data.refundId === id),
    ),
  );

describe('payment notices through the queue', () => {
  it('sends one receipt, keyed by the payment, when a card payment succeeds', async () => {
    const payment = await paidPayment();
    await waitForNotice('payments.receipt', payment.id);
    const notices = await noticesAbout(payment.id);
    expect(notices).toEqual([
      expect.objectContaining({
        to: 'usr_alice',
        template: 'payments.receipt',
        category: 'billing',
        idempotencyKey: `payments.receipt:${payment.id}`,
        data: expect.objectContaining({ amount: 2000, currency: 'usd', amountFormatted: '20.00 USD' }),
      }),
    ]);
  });

  it('tells the payer of a declined card, with the decline code', async () => {
    const payment = await createPayment();
    expect((await act(payment.id, 'confirm', { paymentMethod: 'pm_card_chargeDeclined' })).status).toBe(402);
    await waitForNotice('payments.payment-failed', payment.id);
    const [notice] = await noticesAbout(payment.id);
    expect(notice).toMatchObject({ template: 'payments.payment-failed', data: { declineCode: 'generic_decline' } });
  });

  it('sends the receipt of a delayed bank payment when its settling event is applied', async () => {
    const payment = await createPayment();
    expect((await act(payment.id, 'confirm', { paymentMethod: 'pm_usBankAccount' })).status).toBe(200);
    expect(await noticesAbout(payment.id)).toEqual([]);
    await waitForStatus(payment.id, 'succeeded');
    await waitForNotice('payments.receipt', payment.id);
    expect((await noticesAbout(payment.id)).map((n) => n.template)).toEqual(['payments.receipt']);
    // The bank settles after SANDBOX_SETTLE_SECONDS (10 here).
  }, 20_000);

  it('sends one refund notice, keyed by the refund, when a refund succeeds', async () => {
    const payment = await paidPayment();
    const res = await call(`/api/v1/payments/intents/${payment.id}/refunds`, { json: { amount: 700 } });
    expect(res.status).toBe(201);
    const refund = await res.json<{ id: string }>();
    await waitForNotice('payments.refund', refund.id);
    expect(await noticesAbout(refund.id)).toEqual([
      expect.objectContaining({
        template: 'payments.refund',
        idempotencyKey: `payments.refund:${refund.id}`,
        data: expect.objectContaining({ amount: 700, paymentId: payment.id }),
      }),
    ]);
  });
});
