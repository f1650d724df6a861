// Payments through the gateway as a client makes them: create, confirm, poll while provider events are applied.
import { expect } from 'vitest';
import { api, unique } from './http.js';
import { adminToken, bearer, jsonRequest } from './identity.js';

export interface Payment {
  id: string;
  status: string;
  amount: number;
  currency: string;
  provider: string;
  amountCaptured: number;
  amountRefunded: number;
  clientSecret?: string;
  approvalUrl?: string;
  lastError: { code: string; declineCode?: string } | null;
}

/**
 * A member's payment of `amount` cents (the sandbox's unless `extra.provider` names another), created with an
 * Idempotency-Key as a client should.
 */
export async function createPayment(
  token: string,
  amount = 2500,
  extra: Record<string, unknown> = {},
): Promise<Payment> {
  const res = await api(
    '/api/v1/payments/intents',
    jsonRequest(
      'POST',
      { amount, currency: 'USD', description: 'e2e order', ...extra },
      {
        ...bearer(token),
        'idempotency-key': unique('pay'),
      },
    ),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Payment;
}

export function confirm(token: string, id: string, paymentMethod: string): Promise<Response> {
  return api(`/api/v1/payments/intents/${id}/confirm`, jsonRequest('POST', { paymentMethod }, bearer(token)));
}

/** The payment once it reached `status`, polling as a client would while a provider event is applied. */
export async function reaches(token: string, id: string, status: string): Promise<Payment> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api(`/api/v1/payments/intents/${id}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const payment = (await res.json()) as Payment;
    if (payment.status === status) return payment;
    if (Date.now() > deadline) throw new Error(`payment ${id} still ${payment.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function expectLedgerBalanced(): Promise<void> {
  const res = await api('/api/v1/payments/ledger/verify', { headers: bearer(await adminToken()) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ balanced: true, unbalanced: [] });
}
