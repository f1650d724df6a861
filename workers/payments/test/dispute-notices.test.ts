import { describe, expect, it } from 'vitest';
import type { ProviderIntent } from '../src/providers/provider.js';
import type { ProviderDispute } from '../src/providers/provider-disputes.js';
import {
  alertRecipients,
  disputeOpenedNotices,
  formatAmount,
  paymentNotices,
  refundNotices,
} from '../src/services/payment-notices.js';
import type { PaymentRow } from '../src/services/payment-rows.js';
import type { RefundRow } from '../src/services/refund-rows.js';
import { checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

const row = {
  id: 'pay_1',
  userId: 'usr_alice',
  status: 'requires_action',
  amount: 2000,
  currency: 'usd',
  description: 'Tea',
} as PaymentRow;
const intent: ProviderIntent = {
  providerId: 'pi_1',
  status: 'succeeded',
  amount: 2000,
  amountCaptured: 2000,
  currency: 'usd',
  updatedAt: 1,
};

describe('payment notices', () => {
  it("formats amounts by the currency's minor units", () => {
    expect([formatAmount(2000, 'usd'), formatAmount(500, 'jpy'), formatAmount(1500, 'kwd')]).toEqual([
      '20.00 USD',
      '500 JPY',
      '1.500 KWD',
    ]);
  });

  it('sends a receipt, keyed by the payment, only when the payment has just succeeded', () => {
    expect(paymentNotices(row, intent, 'evt_1')).toEqual([
      {
        to: 'usr_alice',
        template: 'payments.receipt',
        data: { amount: 2000, currency: 'usd', amountFormatted: '20.00 USD', paymentId: 'pay_1', description: 'Tea' },
        idempotencyKey: 'payments.receipt:pay_1',
      },
    ]);
    expect(paymentNotices({ ...row, status: 'succeeded' }, intent, 'evt_2')).toEqual([]);
    expect(paymentNotices(row, { ...intent, status: 'processing' }, 'evt_3')).toEqual([]);
  });

  it('tells the payer of a refusal, keyed by the event', () => {
    const declined = {
      ...intent,
      status: 'requires_payment_method' as const,
      lastError: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card was declined.' },
    };
    expect(paymentNotices(row, declined, 'evt_4')).toEqual([
      expect.objectContaining({
        template: 'payments.payment-failed',
        idempotencyKey: 'payments.payment-failed:evt_4',
        data: expect.objectContaining({ declineCode: 'insufficient_funds', reason: 'Your card was declined.' }),
      }),
    ]);
  });

  it('tells the payer of a succeeded refund only, keyed by the refund', () => {
    const refund = { id: 're_1', paymentId: 'pay_1', userId: 'usr_alice', amount: 500, currency: 'usd' } as RefundRow;
    expect(refundNotices({ ...refund, status: 'succeeded' })).toEqual([
      expect.objectContaining({ to: 'usr_alice', template: 'payments.refund', idempotencyKey: 'payments.refund:re_1' }),
    ]);
    expect(refundNotices({ ...refund, status: 'failed' })).toEqual([]);
  });

  it('alerts each distinct address of PAYMENTS_ALERTS_TO, and nobody when it is empty', () => {
    expect(alertRecipients(' admin@x.test, usr_ops ,,admin@x.test ')).toEqual(['admin@x.test', 'usr_ops']);
    expect(alertRecipients('')).toEqual([]);
    const dispute = {
      amount: 2000,
      currency: 'usd',
      reason: 'fraudulent',
      status: 'needs_response',
    } as ProviderDispute;
    const ids = { disputeId: 'dp_1', paymentId: 'pay_1' };
    expect(disputeOpenedNotices('', dispute, ids, 'evt_5')).toEqual([]);
    expect(disputeOpenedNotices('a@x.test,b@x.test', dispute, ids, 'evt_5').map((n) => n.idempotencyKey)).toEqual([
      'payments.dispute-opened:evt_5:a@x.test',
      'payments.dispute-opened:evt_5:b@x.test',
    ]);
  });
});
