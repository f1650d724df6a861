import { beforeAll, describe, expect, inject, it } from 'vitest';
import { paypalNamespace } from '../../packages/testing/src/paypal-server/client.js';
import { api } from './support/http.js';
import { bearer, jsonRequest, registeredUser } from './support/identity.js';
import { confirm, createPayment, expectLedgerBalanced, reaches } from './support/payments.js';

// PayPal through the gateway: payments' PayPal app lives on the local PayPal server, which also delivers its signed
// webhooks to the gateway and answers the verification call the platform makes for each one.
const paypal = () => paypalNamespace(inject('paypal').origin, inject('paypal').clientId);

describe('payments with PayPal through the gateway', () => {
  beforeAll(async () => {
    await paypal().addWebhookEndpoint({
      url: new URL('/webhooks/paypal', inject('baseUrl')).href,
      webhookId: inject('paypal').webhookId,
    });
  });

  it('pays through the approval page, captures on confirm, applies the verified webhooks and refunds', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const payment = await createPayment(token, 3100, { provider: 'paypal' });
    expect(payment).toMatchObject({ provider: 'paypal', status: 'requires_action', currency: 'usd' });
    const approvalUrl = new URL(payment.approvalUrl ?? '');
    const orderId = approvalUrl.searchParams.get('token') ?? '';

    // The buyer at PayPal: the approval page, then its Pay button (a form post, as a browser sends it).
    const page = await fetch(approvalUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`/__approve/${orderId}`);
    const approved = await fetch(new URL(`/__approve/${orderId}`, approvalUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(approved.status).toBe(200);

    // PayPal's CHECKOUT.ORDER.APPROVED webhook reaches the payment before the client confirms.
    await reaches(token, payment.id, 'requires_confirmation');
    const captured = await confirm(token, payment.id, 'paypal');
    expect(captured.status, await captured.clone().text()).toBe(200);
    expect(await captured.json()).toMatchObject({ status: 'succeeded', amountCaptured: 3100 });

    const refund = await api(
      `/api/v1/payments/intents/${payment.id}/refunds`,
      jsonRequest('POST', { amount: 600 }, bearer(token)),
    );
    expect(refund.status, await refund.clone().text()).toBe(201);
    expect(await refund.json()).toMatchObject({ amount: 600, status: 'succeeded' });
    expect((await reaches(token, payment.id, 'succeeded')).amountRefunded).toBe(600);

    // Every delivery PayPal made for this order was verified and acknowledged by the gateway (PayPal sends them
    // after answering the API call, so the last one may still be on its way).
    const expected = ['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED'];
    const deadline = Date.now() + 15_000;
    let deliveries = await paypal().deliveries();
    while (!expected.every((t) => deliveries.some((d) => d.type === t)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      deliveries = await paypal().deliveries();
    }
    expect(deliveries.map((d) => d.type)).toEqual(expect.arrayContaining(expected));
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    await expectLedgerBalanced();
  });

  it('refuses a webhook PayPal did not sign with a 400 problem', async () => {
    const res = await api('/webhooks/paypal', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'paypal-auth-algo': 'SHA256withRSA',
        'paypal-cert-url': 'https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270',
        'paypal-transmission-id': crypto.randomUUID(),
        'paypal-transmission-sig': 'forged',
        'paypal-transmission-time': new Date().toISOString(),
      },
      body: JSON.stringify({ id: 'WH-FORGED', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: {} }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
