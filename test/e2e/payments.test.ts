import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { bearer, jsonRequest, registeredUser } from './support/identity.js';
import { confirm, createPayment, expectLedgerBalanced, type Payment, reaches } from './support/payments.js';

describe('payments through the gateway (sandbox provider)', () => {
  it('pays by card, refunds part of it, keeps the payment from other users, and balances the ledger', async () => {
    const { tokens } = await registeredUser();
    const token = tokens.accessToken;
    const payment = await createPayment(token);
    expect(payment).toMatchObject({ status: 'requires_payment_method', currency: 'usd', provider: 'sandbox' });
    expect(payment.clientSecret).toEqual(expect.any(String));

    const paid = await confirm(token, payment.id, 'pm_card_visa');
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ status: 'succeeded', amountCaptured: 2500 });

    const refund = await api(
      `/api/v1/payments/intents/${payment.id}/refunds`,
      jsonRequest('POST', { amount: 1000, reason: 'requested_by_customer' }, bearer(token)),
    );
    expect(refund.status).toBe(201);
    expect(await refund.json()).toMatchObject({ paymentId: payment.id, amount: 1000, status: 'succeeded' });
    const tooMuch = await api(
      `/api/v1/payments/intents/${payment.id}/refunds`,
      jsonRequest('POST', { amount: 2000 }, bearer(token)),
    );
    await expectProblem(tooMuch, 409, 'CONFLICT');
    expect((await reaches(token, payment.id, 'succeeded')).amountRefunded).toBe(1000);

    const stranger = (await registeredUser()).tokens.accessToken;
    await expectProblem(
      await api(`/api/v1/payments/intents/${payment.id}`, { headers: bearer(stranger) }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(await api('/api/v1/payments/ledger/verify', { headers: bearer(token) }), 403, 'FORBIDDEN');
    await expectLedgerBalanced();
  });

  it('answers a declined card with 402 and leaves the payment open for another method', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const payment = await createPayment(token);
    const declined = await confirm(token, payment.id, 'pm_card_chargeDeclined');
    const problem = await expectProblem(declined, 402, 'PAYMENT_FAILED');
    expect(problem.detail).toMatch(/card_declined/);
    const after = await reaches(token, payment.id, 'requires_payment_method');
    expect(after.lastError).toMatchObject({ code: 'card_declined', declineCode: 'generic_decline' });
    expect((await confirm(token, payment.id, 'pm_card_visa')).status).toBe(200);
    await reaches(token, payment.id, 'succeeded');
  });

  it('completes a 3-D Secure payment once the buyer answers the challenge', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const payment = await createPayment(token);
    const challenged = await confirm(token, payment.id, 'pm_card_authenticationRequired');
    expect(challenged.status).toBe(200);
    const pending = (await challenged.json()) as Payment;
    expect(pending.status).toBe('requires_action');
    expect(pending.approvalUrl).toEqual(expect.any(String));
    const answered = await api(
      `/api/v1/payments/intents/${payment.id}/sandbox/authenticate`,
      jsonRequest('POST', { outcome: 'succeed' }, bearer(token)),
    );
    expect(answered.status).toBe(202);
    expect((await reaches(token, payment.id, 'succeeded')).amountCaptured).toBe(2500);
    await expectLedgerBalanced();
  });

  it('settles a delayed bank payment through the event queue', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const payment = await createPayment(token, 4200);
    const debited = await confirm(token, payment.id, 'pm_usBankAccount');
    expect(debited.status).toBe(200);
    expect(((await debited.json()) as Payment).status).toBe('processing');
    expect((await reaches(token, payment.id, 'succeeded')).amountCaptured).toBe(4200);
    await expectLedgerBalanced();
  });
});
