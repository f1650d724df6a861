import { describe, expect, it } from 'vitest';
import { admin, call } from './helpers.js';

// What the payments Worker sends with each template (services/payment-notices.ts and the billing services there).
const SAMPLES: Record<string, { data: Record<string, unknown>; shows: string[] }> = {
  'payments.receipt': {
    data: {
      amount: 2000,
      currency: 'usd',
      amountFormatted: '20.00 USD',
      paymentId: 'pay_1',
      description: 'Tea & cake',
    },
    shows: ['20.00 USD', 'pay_1', 'Tea & cake'],
  },
  'payments.refund': {
    data: { amount: 500, currency: 'usd', amountFormatted: '5.00 USD', paymentId: 'pay_1', refundId: 're_1' },
    shows: ['5.00 USD', 'pay_1', 're_1'],
  },
  'payments.payment-failed': {
    data: {
      amount: 2000,
      currency: 'usd',
      amountFormatted: '20.00 USD',
      paymentId: 'pay_2',
      reason: 'Your card was declined.',
      declineCode: 'generic_decline',
    },
    shows: ['20.00 USD', 'Your card was declined.', 'pay_2'],
  },
  'payments.renewal-failed': {
    data: {
      amount: 2000,
      currency: 'usd',
      amountFormatted: '20.00 USD',
      plan: 'Pro',
      subscriptionId: 'sub_1',
      graceUntil: '2026-12-13T00:00:00.000Z',
      invoiceUrl: 'https://pay.example/in_1',
    },
    shows: ['Pro', '20.00 USD', '2026-12-13T00:00:00.000Z', 'https://pay.example/in_1', 'sub_1'],
  },
  'payments.subscription-canceled': {
    data: { plan: 'Pro', subscriptionId: 'sub_1', endsAt: '2027-01-01T00:00:00.000Z' },
    shows: ['Pro', '2027-01-01T00:00:00.000Z', 'free plan', 'sub_1'],
  },
  'payments.dispute-opened': {
    data: {
      amount: 1500,
      currency: 'usd',
      amountFormatted: '15.00 USD',
      paymentId: 'pay_3',
      disputeId: 'dp_1',
      reason: 'fraudulent',
      status: 'needs_response',
      evidenceDueBy: '2026-12-13T00:00:00.000Z',
    },
    shows: ['15.00 USD', 'pay_3', 'fraudulent', 'dp_1', '2026-12-13T00:00:00.000Z'],
  },
};

interface Template {
  key: string;
  builtIn: boolean;
  channels: string[];
  category: string;
}

describe('payments templates', () => {
  it('ships every payments template built in, by email and in-app, as billing', async () => {
    const res = await call('/api/v1/notifications/templates?limit=100', {}, admin);
    const { data } = await res.json<{ data: Template[] }>();
    for (const key of Object.keys(SAMPLES)) {
      const found = data.find((t) => t.key === key);
      expect(found, key).toMatchObject({ builtIn: true, category: 'billing' });
      expect(found?.channels.sort()).toEqual(['email', 'inapp']);
    }
  });

  it('renders each with the data payments sends, escaping it in the HTML only', async () => {
    for (const [key, { data, shows }] of Object.entries(SAMPLES)) {
      const res = await call(`/api/v1/notifications/templates/${key}/preview`, { json: { data } }, admin);
      expect(res.status, key).toBe(200);
      const rendered = await res.json<{ subject: string; text: string; html: string }>();
      expect(rendered.subject, key).not.toBe('');
      for (const text of shows) expect(`${rendered.subject}\n${rendered.text}`, key).toContain(text);
      expect(rendered.html, key).not.toContain('{{');
      if (key === 'payments.receipt') expect(rendered.html).toContain('Tea &amp; cake');
    }
  });

  it('leaves out what the data does not carry (no description, no invoice link, no due date)', async () => {
    const receipt = await call(
      '/api/v1/notifications/templates/payments.receipt/preview',
      { json: { data: { amountFormatted: '20.00 USD', paymentId: 'pay_1', description: '' } } },
      admin,
    );
    expect((await receipt.json<{ text: string }>()).text).toContain('payment of 20.00 USD.');
    const renewal = await call(
      '/api/v1/notifications/templates/payments.renewal-failed/preview',
      { json: { data: { plan: 'Pro', amountFormatted: '20.00 USD', graceUntil: 'soon', invoiceUrl: '' } } },
      admin,
    );
    expect((await renewal.json<{ html: string }>()).html).not.toContain('Pay now');
  });
});
