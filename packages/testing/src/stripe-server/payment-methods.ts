import { CREATE_DISPUTE_PAYMENT_METHOD, createDispute } from './disputes.js';
import { cardError, invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Namespace, type PaymentIntentObject, type RequestInfo, stripeId } from './state.js';
import { STRIPE_TEST_PAYMENT_METHODS as PM } from './types.js';

const DECLINE_CODES: Record<string, string> = {
  [PM.declined]: 'generic_decline',
  [PM.insufficientFunds]: 'insufficient_funds',
};

/** Money moved: captured at once, or authorised and waiting for capture with `capture_method=manual`. */
export function authorise(ns: Namespace, pi: PaymentIntentObject, request: RequestInfo | null): void {
  pi.latest_charge = pi.latest_charge ?? stripeId('ch');
  pi.next_action = null;
  pi.last_payment_error = null;
  if (pi.capture_method === 'manual') {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    ns.recordEvent('payment_intent.amount_capturable_updated', pi, request);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    ns.recordEvent('payment_intent.succeeded', pi, request);
  }
}

/** The attempt failed: back to `requires_payment_method` with the reason, as Stripe leaves it. */
export function fail(
  ns: Namespace,
  pi: PaymentIntentObject,
  reason: { type: string; code: string; decline_code?: string; message: string },
  request: RequestInfo | null,
): void {
  pi.status = 'requires_payment_method';
  pi.payment_method = null;
  pi.next_action = null;
  pi.last_payment_error = reason;
  ns.recordEvent('payment_intent.payment_failed', pi, request);
}

const CONFIRMABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);

/** Confirms with one of Stripe's test payment methods; see `STRIPE_TEST_PAYMENT_METHODS`. */
export function confirm(
  ns: Namespace,
  pi: PaymentIntentObject,
  paymentMethod: string | undefined,
  request: RequestInfo,
): StripeAnswer {
  if (!CONFIRMABLE.has(pi.status)) {
    return invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, {
      code: 'payment_intent_unexpected_state',
    });
  }
  const method = paymentMethod ?? pi.payment_method ?? undefined;
  if (method === undefined) {
    return invalidRequest('You cannot confirm this PaymentIntent because it is missing a payment method.', {
      code: 'payment_intent_unexpected_state',
    });
  }
  if (method === CREATE_DISPUTE_PAYMENT_METHOD) {
    // As Stripe's test card: the payment goes through, then its cardholder disputes it.
    pi.payment_method = method;
    authorise(ns, pi, request);
    if (pi.status === 'succeeded') createDispute(ns, pi, request);
    return ok(pi);
  }
  if (!Object.values<string>(PM).includes(method)) return missing('PaymentMethod', method, 'payment_method');
  pi.payment_method = method;
  const declineCode = DECLINE_CODES[method];
  if (declineCode) {
    fail(
      ns,
      pi,
      { type: 'card_error', code: 'card_declined', decline_code: declineCode, message: 'Your card was declined.' },
      request,
    );
    return cardError(declineCode, pi);
  }
  if (method === PM.authenticationRequired) {
    pi.status = 'requires_action';
    pi.next_action = {
      type: 'redirect_to_url',
      redirect_to_url: { url: `https://hooks.stripe.com/3d_secure_2/test/${pi.id}`, return_url: null },
    };
    ns.recordEvent('payment_intent.requires_action', pi, request);
  } else if (method === PM.usBankAccount) {
    pi.status = 'processing';
    ns.recordEvent('payment_intent.processing', pi, request);
  } else authorise(ns, pi, request);
  return ok(pi);
}

/** `POST /__advance`: the buyer finishes 3-D Secure, or the bank settles (or refuses) a debit. */
export function advance(ns: Namespace, pi: PaymentIntentObject, outcome: 'succeed' | 'fail'): StripeAnswer {
  if (pi.status !== 'requires_action' && pi.status !== 'processing') {
    return invalidRequest(`Nothing to advance: the PaymentIntent has a status of ${pi.status}.`);
  }
  if (outcome === 'succeed') authorise(ns, pi, null);
  else if (pi.status === 'requires_action') {
    fail(
      ns,
      pi,
      { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'Authentication failed.' },
      null,
    );
  } else {
    fail(
      ns,
      pi,
      {
        type: 'invalid_request_error',
        code: 'payment_method_customer_decline',
        message: 'The bank refused the debit.',
      },
      null,
    );
  }
  return ok(pi);
}
