import { invalidRequest, missing, ok, type StripeAnswer, unexpectedState } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { listPage } from './list.js';
import { confirm } from './payment-methods.js';
import { type Namespace, nowSeconds, type PaymentIntentObject, type RequestInfo, stripeId } from './state.js';

/** A positive integer amount in minor units, or the error Stripe answers. */
export function amountOf(form: Form, name: string): number | StripeAnswer | undefined {
  const raw = field(form, name);
  if (raw === undefined) return undefined;
  const amount = Number(raw);
  if (!/^\d+$/.test(raw) || amount < 1) {
    return invalidRequest('This value must be greater than or equal to 1.', {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  return amount;
}

const isAnswer = (value: unknown): value is StripeAnswer => typeof value === 'object' && value !== null;

/** `POST /v1/payment_intents`: created, then confirmed at once with `confirm=true`. */
export function createIntent(ns: Namespace, form: Form, request: RequestInfo): StripeAnswer {
  const amount = amountOf(form, 'amount');
  if (amount === undefined)
    return invalidRequest('Missing required param: amount.', { code: 'parameter_missing', param: 'amount' });
  if (isAnswer(amount)) return amount;
  const currency = field(form, 'currency')?.toLowerCase();
  if (currency === undefined)
    return invalidRequest('Missing required param: currency.', { code: 'parameter_missing', param: 'currency' });
  if (!/^[a-z]{3}$/.test(currency)) return invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency' });
  const captureMethod = field(form, 'capture_method') ?? 'automatic_async';
  if (captureMethod !== 'automatic' && captureMethod !== 'automatic_async' && captureMethod !== 'manual') {
    return invalidRequest(`Invalid capture_method: ${captureMethod}.`, { param: 'capture_method' });
  }
  const id = stripeId('pi');
  const paymentMethod = field(form, 'payment_method') ?? null;
  const pi: PaymentIntentObject = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethod,
    client_secret: `${id}_secret_${stripeId('x').slice(2)}`,
    confirmation_method: 'automatic',
    created: nowSeconds(),
    currency,
    customer: field(form, 'customer') ?? null,
    description: field(form, 'description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: stringMap(form, 'metadata'),
    next_action: null,
    payment_method: paymentMethod,
    payment_method_types: ['card'],
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
  };
  ns.intents.set(id, pi);
  ns.recordEvent('payment_intent.created', pi, request);
  if (field(form, 'confirm') === 'true') return confirm(ns, pi, paymentMethod ?? undefined, request);
  return ok(pi);
}

/** `GET /v1/payment_intents`: newest first, optionally one customer's. */
export function listIntents(ns: Namespace, query: Form): StripeAnswer {
  const customer = field(query, 'customer');
  const all = [...ns.intents.values()].reverse().filter((pi) => !customer || pi.customer === customer);
  return listPage(all, query, '/v1/payment_intents', 'payment_intent');
}

/** `POST /v1/payment_intents/:id/:action` (confirm, capture, cancel), or a 404 for an unknown intent. */
export function intentAction(
  ns: Namespace,
  id: string,
  action: string,
  form: Form,
  request: RequestInfo,
): StripeAnswer {
  const pi = ns.intents.get(id);
  if (!pi) return missing('payment_intent', id, 'intent');
  if (action === 'confirm') return confirm(ns, pi, field(form, 'payment_method'), request);
  if (action === 'capture') return capture(ns, pi, form, request);
  if (action === 'cancel') return cancel(ns, pi, form, request);
  return missing('route', `POST /v1/payment_intents/${id}/${action}`);
}

function capture(ns: Namespace, pi: PaymentIntentObject, form: Form, request: RequestInfo): StripeAnswer {
  if (pi.status !== 'requires_capture') return unexpectedState(pi.id, pi.status, 'capture');
  const amount = amountOf(form, 'amount_to_capture') ?? pi.amount_capturable;
  if (isAnswer(amount)) return amount;
  if (amount > pi.amount_capturable) {
    return invalidRequest(
      `The amount to capture (${amount}) is greater than the capturable amount (${pi.amount_capturable}).`,
      {
        code: 'amount_too_large',
        param: 'amount_to_capture',
      },
    );
  }
  pi.status = 'succeeded';
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  ns.recordEvent('payment_intent.succeeded', pi, request);
  return ok(pi);
}

const CANCELABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture']);
const CANCELLATION_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']);

function cancel(ns: Namespace, pi: PaymentIntentObject, form: Form, request: RequestInfo): StripeAnswer {
  if (!CANCELABLE.has(pi.status)) return unexpectedState(pi.id, pi.status, 'cancel');
  const reason = field(form, 'cancellation_reason') ?? null;
  if (reason !== null && !CANCELLATION_REASONS.has(reason)) {
    return invalidRequest(`Invalid cancellation_reason: ${reason}.`, { param: 'cancellation_reason' });
  }
  pi.status = 'canceled';
  pi.amount_capturable = 0;
  pi.next_action = null;
  pi.cancellation_reason = reason;
  pi.canceled_at = nowSeconds();
  ns.recordEvent('payment_intent.canceled', pi, request);
  return ok(pi);
}
