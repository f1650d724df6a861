import { invalidRequest, ok, type PayPalAnswer, unprocessable } from './errors.js';
import { moneyOf, parseMoney } from './money.js';
import { newCapture } from './payments.js';
import { isoNow, type Namespace, type OrderRecord, paypalId, type ServerState, type WireObject } from './state.js';
import type { PayPalApproval } from './types.js';

/** What `Prefer: return=minimal` (PayPal's default) answers instead of the whole order. */
export const minimal = (order: WireObject) => ({ id: order.id, status: order.status, links: order.links });

const link = (href: string, rel: string, method = 'GET') => ({ href, rel, method });

/**
 * `POST /v2/checkout/orders` `{ intent, purchase_units: [{ amount, custom_id?, description? }], payment_source? }`:
 * CREATED with an `approve` link, or PAYER_ACTION_REQUIRED with a `payer-action` link when the payment source names
 * where the buyer returns. The approval page is this server's `/checkoutnow?token=<order id>`.
 */
export function createOrder(state: ServerState, ns: Namespace, clientId: string, body: Record<string, unknown>) {
  const intent = body.intent;
  if (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') {
    return invalidRequest('INVALID_PARAMETER_VALUE', `intent must be CAPTURE or AUTHORIZE, not ${String(intent)}.`);
  }
  const units = body.purchase_units;
  if (!Array.isArray(units) || units.length !== 1) {
    return invalidRequest('INVALID_ARRAY_LENGTH', 'This server takes exactly one purchase unit.');
  }
  const unit = units[0] as Record<string, unknown>;
  const amount = parseMoney(unit.amount);
  if (!amount.ok) return unprocessable(amount.issue, amount.description);
  const id = paypalId();
  const source = body.payment_source as { paypal?: { experience_context?: { return_url?: string } } } | undefined;
  const returnUrl = source?.paypal?.experience_context?.return_url;
  const self = `${state.origin}/v2/checkout/orders/${id}`;
  const now = isoNow();
  const record: OrderRecord = {
    approval: null,
    order: {
      id,
      intent,
      status: returnUrl ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      ...(returnUrl && { payment_source: { paypal: {} } }),
      purchase_units: [
        {
          reference_id: typeof unit.reference_id === 'string' ? unit.reference_id : 'default',
          amount: moneyOf(amount.minor, amount.currency),
          payee: { email_address: `merchant-${clientId.slice(0, 12)}@example.com`, merchant_id: paypalId(13) },
          ...(typeof unit.custom_id === 'string' && { custom_id: unit.custom_id }),
          ...(typeof unit.description === 'string' && { description: unit.description }),
        },
      ],
      create_time: now,
      update_time: now,
      links: [
        link(self, 'self'),
        link(`${state.origin}/checkoutnow?token=${id}`, returnUrl ? 'payer-action' : 'approve'),
        link(self, 'update', 'PATCH'),
        link(`${self}/${intent === 'CAPTURE' ? 'capture' : 'authorize'}`, intent.toLowerCase(), 'POST'),
      ],
    },
  };
  ns.orders.set(id, record);
  state.orderOwners.set(id, clientId);
  return ok(record.order, 201);
}

/** The buyer approves at the approval URL (`POST /__approve/{id}`), choosing what the capture will do. */
export function approveOrder(ns: Namespace, record: OrderRecord, approval: PayPalApproval): PayPalAnswer {
  const { order } = record;
  if (order.status === 'APPROVED') return ok(order);
  if (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED') {
    return unprocessable('ORDER_ALREADY_COMPLETED', `The order is ${order.status}.`);
  }
  record.approval = approval;
  order.status = 'APPROVED';
  order.payer = {
    name: { given_name: 'Test', surname: 'Buyer' },
    email_address: 'buyer@example.com',
    payer_id: paypalId(13),
  };
  order.update_time = isoNow();
  ns.recordEvent('CHECKOUT.ORDER.APPROVED', 'checkout-order', order, 'An order has been approved by buyer');
  return ok(order);
}

/** Why an order cannot be captured or authorised now, as PayPal answers it; null when it can. */
function refusal(record: OrderRecord, action: 'CAPTURE' | 'AUTHORIZE'): PayPalAnswer | null {
  const { order } = record;
  if (order.intent !== action) {
    return unprocessable('ACTION_DOES_NOT_MATCH_INTENT', `The order's intent is ${order.intent}.`);
  }
  if (order.status === 'COMPLETED') {
    const issue = action === 'CAPTURE' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_ALREADY_AUTHORIZED';
    return unprocessable(issue, `Order already ${action === 'CAPTURE' ? 'captured' : 'authorized'}.`);
  }
  if (order.status !== 'APPROVED') {
    return unprocessable('ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment.');
  }
  return null;
}

/** `POST /v2/checkout/orders/{id}/capture`: the whole amount, COMPLETED (or PENDING, or DECLINED by approval). */
export function captureOrder(ns: Namespace, record: OrderRecord): PayPalAnswer {
  const refused = refusal(record, 'CAPTURE');
  if (refused) return refused;
  const unit = record.order.purchase_units[0];
  if (!unit) return unprocessable('INVALID_ORDER', 'No purchase unit.');
  record.order.status = 'COMPLETED';
  record.order.update_time = isoNow();
  const amount = parseMoney(unit.amount);
  newCapture(ns, record, amount.ok ? amount.minor : 0, unit.amount.currency_code, null);
  return ok(record.order, 201);
}

/** `POST /v2/checkout/orders/{id}/authorize`: an authorization CREATED for the whole amount, 29 days to capture. */
export function authorizeOrder(ns: Namespace, record: OrderRecord): PayPalAnswer {
  const refused = refusal(record, 'AUTHORIZE');
  if (refused) return refused;
  const { order } = record;
  const unit = order.purchase_units[0];
  if (!unit) return unprocessable('INVALID_ORDER', 'No purchase unit.');
  const id = paypalId();
  const now = isoNow();
  const self = `${ns.origin()}/v2/payments/authorizations/${id}`;
  const authorization: WireObject = {
    id,
    status: 'CREATED',
    amount: { ...unit.amount },
    ...(unit.custom_id !== undefined && { custom_id: unit.custom_id }),
    expiration_time: new Date(Date.now() + 29 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    create_time: now,
    update_time: now,
    supplementary_data: { related_ids: { order_id: order.id } },
    links: [
      link(self, 'self'),
      link(`${self}/capture`, 'capture', 'POST'),
      link(`${self}/void`, 'void', 'POST'),
      link(`${ns.origin()}/v2/checkout/orders/${order.id}`, 'up'),
    ],
  };
  unit.payments = { ...unit.payments, authorizations: [authorization] };
  ns.authorizations.set(id, { authorization, record });
  order.status = 'COMPLETED';
  order.update_time = now;
  ns.recordEvent(
    'PAYMENT.AUTHORIZATION.CREATED',
    'authorization',
    authorization,
    'A payment authorization was created',
  );
  return ok(order, 201);
}
