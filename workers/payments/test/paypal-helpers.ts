import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallInit, forwardTo } from '@onasis/testing';
import { type PayPalSignedDelivery, paypalNamespace } from '@onasis/testing/paypal-server/client';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { app } from '../src/app.js';
import { dbOf } from '../src/db/client.js';
import { ledgerTransactions, providerEvents } from '../src/db/schema.js';
import { createPayPalProvider } from '../src/providers/paypal.js';
import type { ProviderResult } from '../src/providers/provider.js';
import { PaymentsService } from '../src/rpc.js';
import { ALICE, type Payment } from './helpers.js';

/** The Worker's own PayPal app on the local PayPal server: its client id names the namespace there. */
export const WORKER_PAYPAL = {
  PAYPAL_CLIENT_ID: 'onasis-payments-worker',
  PAYPAL_CLIENT_SECRET: 'onasis-payments-worker-secret',
  PAYPAL_WEBHOOK_ID: 'WH-ONASIS-LOCAL-TEST',
} as const;

/**
 * The Worker's bindings with PayPal configured. Only the PayPal tests set them, so that everywhere else PayPal stays
 * a provider that is not configured (a 400 when named).
 */
export const paypalEnv = () => ({ ...env, ...WORKER_PAYPAL, PAYPAL_API_BASE: env.TEST_PAYPAL_SERVER_URL });

const forward = forwardTo('payments', () => new PaymentsService(createExecutionContext(), paypalEnv()));

/** A request to the payments Worker with PayPal configured, as the gateway forwards it (as Alice by default). */
export function callWithPayPal(path: string, init: CallInit = {}, as: Principal = ALICE): Promise<Response> {
  return forward(path, init, { principal: as });
}

/** A PayPal app of its own on the local PayPal server, and the adapter speaking to it as that app. */
export function paypalAccount() {
  const ns = paypalNamespace(env.TEST_PAYPAL_SERVER_URL);
  const { clientId, clientSecret, apiBase } = ns;
  return { ns, paypal: createPayPalProvider({ clientId, clientSecret, apiBase }) };
}

/** The Worker's own PayPal app (its `PAYPAL_CLIENT_ID`), which the routes speak to, and an adapter for it. */
export function workerAccount() {
  const ns = paypalNamespace(env.TEST_PAYPAL_SERVER_URL, WORKER_PAYPAL.PAYPAL_CLIENT_ID);
  const { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: clientSecret } = WORKER_PAYPAL;
  const options = { clientId, clientSecret, apiBase: ns.apiBase };
  return { ns, paypal: createPayPalProvider(options) };
}

/** An idempotency key as the platform makes them (`<pay_id>:<what>`). */
export const key = (what: string) => `pay_${crypto.randomUUID().replaceAll('-', '')}:${what}`;

export function answerOf<T>(result: ProviderResult<T>): T {
  if (!result.ok) throw new Error(`expected an answer, got ${JSON.stringify(result)}`);
  return result.value;
}

/** The PayPal order behind a payment, read from its approval URL (`…/checkoutnow?token=<order id>`). */
export function orderIdOf(payment: Pick<Payment, 'approvalUrl'>): string {
  const token = payment.approvalUrl ? new URL(payment.approvalUrl).searchParams.get('token') : null;
  expect(token, 'approvalUrl with a token').toBeTruthy();
  return token ?? '';
}

/**
 * Posts a delivery to the webhook route with PayPal configured, changed by `bindings`. `PAYMENT_EVENTS` is the
 * Worker's own queue: its consumer applies what is stored.
 */
export function deliver(delivery: Partial<PayPalSignedDelivery>, bindings: Record<string, unknown> = {}) {
  const request = new Request('http://payments/webhooks/paypal', {
    method: 'POST',
    body: delivery.body ?? '{}',
    headers: delivery.headers ?? { 'content-type': 'application/json' },
  });
  return Promise.resolve(app.fetch(request, { ...paypalEnv(), ...bindings }, createExecutionContext()));
}

/** The stored rows of an event id (zero or one). */
export const storedRows = (id: string) =>
  dbOf(env.DB).select().from(providerEvents).where(eq(providerEvents.id, id)).all();

/** The ledger transactions of a payment, of one kind. */
export const movementsOf = async (paymentId: string, kind: 'capture' | 'refund') =>
  (
    await dbOf(env.DB).select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, paymentId)).all()
  ).filter((t) => t.kind === kind);
