import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallInit, eventually, forwardTo } from '@onasis/testing';
import { afterEach, expect } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { verifyLedger } from '../src/services/ledger.js';

const principal = (userId: string, permissions: string[]): Principal => ({
  userId,
  sessionId: `ses_${userId}`,
  permissions,
  via: 'access_token',
});

/** A member paying for themselves. */
export const ALICE = principal('usr_alice', ['payments:read', 'payments:write']);
/** Another member, who must never see Alice's payments. */
export const BOB = principal('usr_bob', ['payments:read', 'payments:write']);
/** An admin with `payments:manage`. */
export const ADMIN = principal('usr_admin', ['payments:read', 'payments:write', 'payments:manage']);

const forward = forwardTo('payments', () => exports.PaymentsService);

/** A request to the payments Worker as the gateway forwards it, as Alice unless another principal is given. */
export function call(path: string, init: CallInit = {}, as: Principal = ALICE): Promise<Response> {
  return forward(path, init, { principal: as });
}

/** A payment as the API answers it. */
export interface Payment {
  id: string;
  status: string;
  amount: number;
  currency: string;
  amountCaptured: number;
  amountRefunded: number;
  clientSecret?: string;
  approvalUrl?: string;
  lastError: { code: string; declineCode?: string; message: string } | null;
}

/** Creates a sandbox payment and answers it, failing the test on anything but 201. */
export async function createPayment(body: Record<string, unknown> = {}, as: Principal = ALICE): Promise<Payment> {
  const res = await call('/api/v1/payments/intents', { json: { amount: 2000, currency: 'usd', ...body } }, as);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Payment>();
}

/** Runs an action on a payment (`confirm`, `capture`, `cancel`, …) and answers the response. */
export function act(id: string, action: string, json: unknown = {}, as: Principal = ALICE): Promise<Response> {
  return call(`/api/v1/payments/intents/${id}/${action}`, { json }, as);
}

/** A payment paid with `pm_card_visa`: succeeded (or `requires_capture` with manual capture). */
export async function paidPayment(body: Record<string, unknown> = {}): Promise<Payment> {
  const payment = await createPayment(body);
  const res = await act(payment.id, 'confirm', { paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(200);
  return res.json<Payment>();
}

/** Reads a payment as its owner. */
export async function getPayment(id: string, as: Principal = ALICE): Promise<Payment> {
  return (await call(`/api/v1/payments/intents/${id}`, {}, as)).json<Payment>();
}

/** Waits until the payment reaches `status` (events are applied asynchronously by the queue consumer). */
export function waitForStatus(id: string, status: string, timeoutMs = 15_000): Promise<Payment> {
  let last = '';
  return eventually(
    async () => {
      const p = await getPayment(id);
      last = p.status;
      return p.status === status ? p : null;
    },
    { timeoutMs, failure: () => `payment ${id} stayed ${last}, not ${status}` },
  );
}

/** Every test file ends each test with a balanced ledger. */
export function checkLedgerAfterEach(): void {
  afterEach(async () => {
    const verification = await verifyLedger(dbOf(env.DB));
    expect(verification.unbalanced).toEqual([]);
    expect(verification.balanced).toBe(true);
  });
}
