import { notFound, ok, type PayPalAnswer, unprocessable } from './errors.js';
import { moneyOf, parseMoney } from './money.js';
import { isoNow, type Namespace, type OrderRecord, paypalId, type WireObject } from './state.js';
import type { PayPalSettle } from './types.js';

const link = (href: string, rel: string, method = 'GET') => ({ href, rel, method });

const CAPTURE_EVENTS: Record<string, string> = {
  COMPLETED: 'PAYMENT.CAPTURE.COMPLETED',
  PENDING: 'PAYMENT.CAPTURE.PENDING',
  DECLINED: 'PAYMENT.CAPTURE.DECLINED',
};

/** A capture of `minor` against the order (and its authorization), as the buyer's approval set it up to end. */
export function newCapture(
  ns: Namespace,
  record: OrderRecord,
  minor: number,
  currency: string,
  authorizationId: string | null,
): WireObject {
  const unit = record.order.purchase_units[0];
  const status = record.approval?.decline ? 'DECLINED' : record.approval?.pending ? 'PENDING' : 'COMPLETED';
  const id = paypalId();
  const now = isoNow();
  const self = `${ns.origin()}/v2/payments/captures/${id}`;
  const capture: WireObject = {
    id,
    status,
    ...(status === 'PENDING' && { status_details: { reason: 'PENDING_REVIEW' } }),
    amount: moneyOf(minor, currency),
    final_capture: true,
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED'] },
    ...(unit?.custom_id !== undefined && { custom_id: unit.custom_id }),
    create_time: now,
    update_time: now,
    supplementary_data: {
      related_ids: { order_id: record.order.id, ...(authorizationId && { authorization_id: authorizationId }) },
    },
    links: [
      link(self, 'self'),
      link(`${self}/refund`, 'refund', 'POST'),
      link(`${ns.origin()}/v2/checkout/orders/${record.order.id}`, 'up'),
    ],
  };
  if (unit) unit.payments = { ...unit.payments, captures: [...(unit.payments?.captures ?? []), capture] };
  ns.captures.set(id, { capture, record, refunded: 0 });
  const type = CAPTURE_EVENTS[status] ?? 'PAYMENT.CAPTURE.COMPLETED';
  ns.recordEvent(
    type,
    'capture',
    capture,
    `Payment ${status.toLowerCase()} for ${moneyOf(minor, currency).value} ${currency}`,
  );
  return capture;
}

/** `POST /v2/payments/authorizations/{id}/capture` `{ amount?, final_capture? }`: at most what was authorised. */
export function captureAuthorization(ns: Namespace, id: string, body: Record<string, unknown>): PayPalAnswer {
  const found = ns.authorizations.get(id);
  if (!found) return notFound('authorization', id);
  const { authorization, record } = found;
  if (authorization.status === 'VOIDED') return unprocessable('AUTHORIZATION_VOIDED', 'Authorization is voided.');
  if (authorization.status !== 'CREATED') {
    return unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has been previously captured.');
  }
  const authorized = parseMoney(authorization.amount);
  if (!authorized.ok) return unprocessable(authorized.issue, authorized.description);
  let minor = authorized.minor;
  if (body.amount !== undefined) {
    const asked = parseMoney(body.amount);
    if (!asked.ok) return unprocessable(asked.issue, asked.description);
    if (asked.currency !== authorized.currency) return unprocessable('CURRENCY_MISMATCH', 'Currency mismatch.');
    if (asked.minor > authorized.minor) {
      return unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED', 'Capture amount exceeds the authorized amount.');
    }
    minor = asked.minor;
  }
  authorization.status = body.final_capture === false ? 'PARTIALLY_CAPTURED' : 'CAPTURED';
  authorization.update_time = isoNow();
  return ok(newCapture(ns, record, minor, authorized.currency, id), 201);
}

/** `POST /v2/payments/authorizations/{id}/void`: 204, or the authorization with `Prefer: return=representation`. */
export function voidAuthorization(ns: Namespace, id: string, representation: boolean): PayPalAnswer {
  const found = ns.authorizations.get(id);
  if (!found) return notFound('authorization', id);
  const { authorization } = found;
  if (authorization.status === 'VOIDED') return unprocessable('AUTHORIZATION_VOIDED', 'Authorization is voided.');
  if (authorization.status !== 'CREATED') {
    return unprocessable('PREVIOUSLY_CAPTURED', 'Authorization has been previously captured and cannot be voided.');
  }
  authorization.status = 'VOIDED';
  authorization.update_time = isoNow();
  ns.recordEvent('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', authorization, 'A payment authorization was voided');
  return representation ? ok(authorization) : { status: 204, body: undefined };
}

/** `POST /v2/payments/captures/{id}/refund` `{ amount?, note_to_payer? }`: several partial refunds, never more. */
export function refundCapture(ns: Namespace, id: string, body: Record<string, unknown>): PayPalAnswer {
  const found = ns.captures.get(id);
  if (!found) return notFound('capture', id);
  const { capture, record } = found;
  if (capture.status === 'REFUNDED') return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture is fully refunded.');
  if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') {
    return unprocessable('REFUND_NOT_ALLOWED', `A ${capture.status} capture cannot be refunded.`);
  }
  const currency = (capture.amount as { currency_code: string }).currency_code;
  const captured = parseMoney(capture.amount);
  const left = (captured.ok ? captured.minor : 0) - found.refunded;
  let minor = left;
  if (body.amount !== undefined) {
    const asked = parseMoney(body.amount);
    if (!asked.ok) return unprocessable(asked.issue, asked.description);
    if (asked.currency !== currency) return unprocessable('REFUND_CURRENCY_MISMATCH', 'Currency mismatch.');
    if (asked.minor > left) return unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount exceeds what is left.');
    minor = asked.minor;
  }
  const refundId = paypalId();
  const now = isoNow();
  const refund: WireObject = {
    id: refundId,
    status: 'COMPLETED',
    amount: moneyOf(minor, currency),
    ...(typeof body.note_to_payer === 'string' && { note_to_payer: body.note_to_payer }),
    create_time: now,
    update_time: now,
    links: [
      link(`${ns.origin()}/v2/payments/refunds/${refundId}`, 'self'),
      link(`${ns.origin()}/v2/payments/captures/${id}`, 'up'),
    ],
  };
  ns.refunds.set(refundId, refund);
  found.refunded += minor;
  capture.status = minor === left ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  capture.update_time = now;
  const unit = record.order.purchase_units[0];
  if (unit) unit.payments = { ...unit.payments, refunds: [...(unit.payments?.refunds ?? []), refund] };
  ns.recordEvent(
    'PAYMENT.CAPTURE.REFUNDED',
    'refund',
    refund,
    `A ${moneyOf(minor, currency).value} ${currency} capture was refunded`,
  );
  return ok(refund, 201);
}

/** `POST /__settle`: a PENDING capture completes (PAYMENT.CAPTURE.COMPLETED) or is denied (PAYMENT.CAPTURE.DENIED). */
export function settleCapture(ns: Namespace, { captureId, outcome = 'complete' }: PayPalSettle): PayPalAnswer {
  const found = ns.captures.get(captureId);
  if (!found) return notFound('capture', captureId);
  const { capture } = found;
  if (capture.status !== 'PENDING') return unprocessable('CAPTURE_NOT_PENDING', `The capture is ${capture.status}.`);
  capture.status = outcome === 'deny' ? 'DECLINED' : 'COMPLETED';
  delete capture.status_details;
  capture.update_time = isoNow();
  const type = outcome === 'deny' ? 'PAYMENT.CAPTURE.DENIED' : 'PAYMENT.CAPTURE.COMPLETED';
  ns.recordEvent(type, 'capture', capture, `Payment ${capture.status.toLowerCase()}`);
  return ok(capture);
}
