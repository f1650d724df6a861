import { type PayPalCall, type PayPalClientOptions, paypalCall } from './paypal-client.js';
import { type PayPalEnv, paypalClientFrom } from './paypal-env.js';
import { failureOf, issueOf } from './paypal-errors.js';
import { paypalMoney } from './paypal-money.js';
import { intentOfOrder, type PayPalOrder, type PayPalPayment, refundOf } from './paypal-objects.js';
import type { CreateIntentInput, PaymentProvider, ProviderIntent, ProviderResult } from './provider.js';

export { type PayPalEnv, paypalApiBase, paypalClientFrom } from './paypal-env.js';
export { paypalEventOf } from './paypal-events.js';

/** The PayPal adapter when its credentials are set, else null (a payment naming PayPal is then a 400). */
export function paypalProviderFrom(env: PayPalEnv): PaymentProvider | null {
  const client = paypalClientFrom(env);
  return client ? createPayPalProvider(client, env.PAYPAL_RETURN_URL) : null;
}

type Failed = Extract<PayPalCall, { ok: false }>;

/** An order as the platform's intent; a refused capture is a decline (402) that still carries the new state. */
function answerOf(order: PayPalOrder): ProviderResult<ProviderIntent> {
  const intent = intentOfOrder(order);
  if (intent.status === 'requires_payment_method' && intent.lastError) {
    return { ok: false, kind: 'declined', error: intent.lastError, value: intent };
  }
  return { ok: true, value: intent };
}

const invalid = (message: string) => ({ ok: false, kind: 'invalid', message }) as const;

/** Issues that mean an earlier attempt (a retry's first try) already did the work: read the order instead. */
const ALREADY_DONE = new Set([
  'ORDER_ALREADY_CAPTURED',
  'ORDER_ALREADY_AUTHORIZED',
  'AUTHORIZATION_ALREADY_CAPTURED',
  'AUTHORIZATION_VOIDED',
]);

/** Captures whose money arrived: what a refund goes against. */
const REFUNDABLE = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);

/**
 * PayPal behind the platform's `PaymentProvider`, over its REST API (Orders v2 and Payments v2). A payment is one
 * order with one purchase unit (`custom_id` = the platform's payment id); the buyer approves it at `approvalUrl`, and
 * `confirmIntent` then captures (or authorises, for manual capture). Retries: every mutating call carries the
 * caller's idempotency key as `PayPal-Request-Id`, so a call repeated after a lost answer gets PayPal's first answer
 * back instead of a second order, capture or refund; a state change already made (an "already captured" refusal) is
 * answered with the order as it now stands.
 */
export function createPayPalProvider(client: PayPalClientOptions, returnUrl?: string): PaymentProvider {
  const call = (method: 'GET' | 'POST', path: string, init?: Parameters<typeof paypalCall>[3]) =>
    paypalCall(client, method, path, init);
  const getOrder = async (id: string): Promise<PayPalOrder | Failed> => {
    const got = await call('GET', `/v2/checkout/orders/${encodeURIComponent(id)}`);
    return got.ok ? (got.body as PayPalOrder) : got;
  };
  const isFailed = (value: PayPalOrder | Failed): value is Failed => 'ok' in value && value.ok === false;
  // Reading is no attempt to pay: a declined capture is the order's state (with `lastError`), not a refusal.
  const retrieve = async (id: string): Promise<ProviderResult<ProviderIntent>> => {
    const order = await getOrder(id);
    return isFailed(order) ? failureOf(order) : { ok: true, value: intentOfOrder(order) };
  };
  /** A mutating call on an order's payment, then the order re-read: what the platform records is the whole order. */
  const thenRetrieve = async (id: string, done: PayPalCall) => {
    if (!done.ok && !ALREADY_DONE.has(issueOf(done) ?? '')) return failureOf<ProviderIntent>(done);
    const order = await getOrder(id);
    return isFailed(order) ? failureOf<ProviderIntent>(order) : answerOf(order);
  };
  const unitOf = (order: PayPalOrder) => order.purchase_units?.[0];

  return {
    name: 'paypal',
    createIntent: async (input: CreateIntentInput) => {
      const amount = paypalMoney(input.amount, input.currency.toLowerCase());
      if (!amount) return invalid(`PayPal takes only whole ${input.currency.toUpperCase()} amounts.`);
      const paymentId = input.reference;
      const created = await call('POST', '/v2/checkout/orders', {
        requestId: input.idempotencyKey,
        json: {
          intent: input.captureMethod === 'manual' ? 'AUTHORIZE' : 'CAPTURE',
          purchase_units: [
            {
              reference_id: 'default',
              amount,
              ...(paymentId && { custom_id: paymentId }),
              ...(input.description && { description: input.description.slice(0, 127) }),
            },
          ],
          ...(returnUrl && {
            payment_source: {
              paypal: { experience_context: { return_url: returnUrl, cancel_url: returnUrl, user_action: 'PAY_NOW' } },
            },
          }),
        },
      });
      return created.ok ? answerOf(created.body as PayPalOrder) : failureOf(created);
    },
    retrieveIntent: retrieve,
    // The payment method is PayPal's own (the buyer chose it when approving); the argument is not used.
    confirmIntent: async (providerId, _paymentMethod, idempotencyKey) => {
      const order = await getOrder(providerId);
      if (isFailed(order)) return failureOf(order);
      // Not approved yet (requires_action, approvalUrl kept) or already captured: the order as it stands.
      if (order.status !== 'APPROVED') return answerOf(order);
      const action = order.intent === 'AUTHORIZE' ? 'authorize' : 'capture';
      const done = await call('POST', `/v2/checkout/orders/${encodeURIComponent(order.id)}/${action}`, {
        requestId: idempotencyKey,
        json: {},
      });
      if (done.ok) return answerOf(done.body as PayPalOrder);
      return thenRetrieve(order.id, done);
    },
    captureIntent: async (providerId, amount, idempotencyKey) => {
      const order = await getOrder(providerId);
      if (isFailed(order)) return failureOf(order);
      const authorization = unitOf(order)?.payments?.authorizations?.at(-1);
      if (!authorization) return invalid(`PayPal order ${providerId} has no authorization to capture.`);
      const money = amount === undefined ? null : paypalMoney(amount, intentOfOrder(order).currency);
      if (amount !== undefined && !money) return invalid('PayPal cannot take this amount in this currency.');
      const done = await call('POST', `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/capture`, {
        requestId: idempotencyKey,
        json: { ...(money && { amount: money }), final_capture: true },
      });
      return thenRetrieve(providerId, done);
    },
    // PayPal has no way to cancel an order: one never captured expires at PayPal (within hours unapproved, days
    // approved), and only the platform's confirm captures it, which a canceled payment refuses. So an order without
    // payments is answered canceled without a call; an authorization is voided, releasing the buyer's funds.
    // Retried, the void replays (same request id) or finds the authorization voided already: the same answer.
    cancelIntent: async (providerId, idempotencyKey) => {
      const order = await getOrder(providerId);
      if (isFailed(order)) return failureOf(order);
      const authorization = unitOf(order)?.payments?.authorizations?.at(-1);
      if (authorization?.status === 'CREATED') {
        const done = await call('POST', `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/void`, {
          requestId: idempotencyKey,
        });
        return thenRetrieve(providerId, done);
      }
      const intent = intentOfOrder(order);
      if (authorization || (unitOf(order)?.payments?.captures ?? []).length > 0) return answerOf(order);
      const { approvalUrl: _gone, ...rest } = intent;
      return { ok: true, value: { ...rest, status: 'canceled', updatedAt: Math.max(intent.updatedAt, Date.now()) } };
    },
    createRefund: async (paymentProviderId, amount, reason, idempotencyKey) => {
      const order = await getOrder(paymentProviderId);
      if (isFailed(order)) return failureOf(order);
      // A fully refunded capture still goes to PayPal: a retried refund's request id replays its first answer, and
      // anything beyond what is left PayPal refuses itself.
      const capture = (unitOf(order)?.payments?.captures ?? [])
        .filter((c: PayPalPayment) => REFUNDABLE.has(c.status))
        .at(-1);
      if (!capture) return invalid(`PayPal order ${paymentProviderId} has no capture to refund.`);
      const { currency } = intentOfOrder(order);
      const money = paypalMoney(amount, currency);
      if (!money) return invalid('PayPal cannot take this amount in this currency.');
      const done = await call('POST', `/v2/payments/captures/${encodeURIComponent(capture.id)}/refund`, {
        requestId: idempotencyKey,
        json: { amount: money, ...(reason && { note_to_payer: reason.slice(0, 255) }) },
      });
      if (!done.ok) return failureOf(done);
      return { ok: true, value: refundOf(done.body as PayPalPayment, { amount, currency }) };
    },
  };
}
