import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { amountOf } from './payment-intents.js';
import {
  type Namespace,
  nowSeconds,
  type PaymentIntentObject,
  type RefundObject,
  type RequestInfo,
  stripeId,
} from './state.js';

const REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

function refundsOf(ns: Namespace, pi: PaymentIntentObject): RefundObject[] {
  return [...ns.refunds.values()].filter((r) => r.payment_intent === pi.id).reverse();
}

/** The charge behind a payment, as `charge.refunded` carries it (with its refunds, newest first). */
function chargeOf(ns: Namespace, pi: PaymentIntentObject, charge: string): Record<string, unknown> {
  const refunds = refundsOf(ns, pi);
  const refunded = refunds.reduce((sum, r) => sum + r.amount, 0);
  return {
    id: charge,
    object: 'charge',
    amount: pi.amount,
    amount_captured: pi.amount_received,
    amount_refunded: refunded,
    captured: true,
    currency: pi.currency,
    payment_intent: pi.id,
    refunded: refunded >= pi.amount_received,
    status: 'succeeded',
    refunds: { object: 'list', data: refunds, has_more: false, url: `/v1/charges/${charge}/refunds` },
  };
}

/**
 * `POST /v1/refunds` `{ payment_intent, amount?, reason? }`: several partial refunds, never more in total than was
 * captured (400 `amount_too_large`, or `charge_already_refunded` once nothing is left).
 */
export function createRefund(ns: Namespace, form: Form, request: RequestInfo): StripeAnswer {
  const piId = field(form, 'payment_intent');
  if (piId === undefined) {
    return invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      {
        code: 'parameter_missing',
        param: 'payment_intent',
      },
    );
  }
  const pi = ns.intents.get(piId);
  if (!pi) return missing('payment_intent', piId, 'payment_intent');
  const charge = pi.latest_charge;
  if (pi.status !== 'succeeded' || charge === null) {
    return invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
      code: 'charge_not_refundable',
    });
  }
  const remaining = pi.amount_received - refundsOf(ns, pi).reduce((sum, r) => sum + r.amount, 0);
  if (remaining <= 0) {
    return invalidRequest(`Charge ${charge} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  const amount = amountOf(form, 'amount') ?? remaining;
  if (typeof amount !== 'number') return amount;
  if (amount > remaining) {
    return invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`, {
      code: 'amount_too_large',
      param: 'amount',
    });
  }
  const reason = field(form, 'reason') ?? null;
  if (reason !== null && !REASONS.has(reason)) return invalidRequest(`Invalid reason: ${reason}.`, { param: 'reason' });
  const refund: RefundObject = {
    id: stripeId('re'),
    object: 'refund',
    amount,
    charge,
    created: nowSeconds(),
    currency: pi.currency,
    metadata: stringMap(form, 'metadata'),
    payment_intent: pi.id,
    reason,
    status: 'succeeded',
  };
  ns.refunds.set(refund.id, refund);
  ns.recordEvent('refund.created', refund, request);
  ns.recordEvent('charge.refunded', chargeOf(ns, pi, charge), request);
  return ok(refund);
}

/** `GET /v1/refunds/:id`. */
export function retrieveRefund(ns: Namespace, id: string): StripeAnswer {
  const refund = ns.refunds.get(id);
  return refund ? ok(refund) : missing('refund', id);
}
