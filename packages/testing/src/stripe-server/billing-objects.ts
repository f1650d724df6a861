import { invalidRequest, missing, type StripeAnswer } from './errors.js';
import { type Form, field } from './form.js';
import { type Namespace, nowSeconds, stripeId, type WireObject } from './state.js';

// Prices and the shapes subscriptions and invoices share. Prices live beside the namespace (state.ts keeps the other
// billing objects), created with `POST /v1/prices` as on a real account.

const prices = new WeakMap<Namespace, Map<string, WireObject>>();

/** The namespace's prices, by id. */
export function pricesOf(ns: Namespace): Map<string, WireObject> {
  let map = prices.get(ns);
  if (!map) {
    map = new Map();
    prices.set(ns, map);
  }
  return map;
}

export type Interval = 'day' | 'week' | 'month' | 'year';

/** A price as the server keeps it. */
export type PriceObject = WireObject & {
  unit_amount: number;
  currency: string;
  recurring: { interval: Interval } | null;
};

/** `POST /v1/prices` `{ unit_amount, currency, recurring[interval]?, product_data[name] }`. */
export function createPrice(ns: Namespace, form: Form): StripeAnswer {
  const amount = Number(field(form, 'unit_amount'));
  const currency = field(form, 'currency')?.toLowerCase();
  if (!Number.isInteger(amount) || amount < 0) return invalidRequest('Invalid unit_amount.', { param: 'unit_amount' });
  if (!currency)
    return invalidRequest('Missing required param: currency.', { code: 'parameter_missing', param: 'currency' });
  const recurring = typeof form.recurring === 'object' ? field(form.recurring, 'interval') : undefined;
  if (recurring !== undefined && !['day', 'week', 'month', 'year'].includes(recurring)) {
    return invalidRequest(`Invalid recurring[interval]: ${recurring}.`, { param: 'recurring[interval]' });
  }
  const price: PriceObject = {
    id: stripeId('price'),
    object: 'price',
    active: true,
    created: nowSeconds(),
    currency,
    unit_amount: amount,
    recurring: recurring ? { interval: recurring as Interval, interval_count: 1 } : null,
    type: recurring ? 'recurring' : 'one_time',
    product: stripeId('prod'),
  } as PriceObject;
  pricesOf(ns).set(price.id, price);
  return { status: 200, body: price };
}

/** A recurring price of the namespace, or the error Stripe answers. */
export function recurringPrice(ns: Namespace, id: string | undefined, param: string): PriceObject | StripeAnswer {
  if (id === undefined)
    return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
  const price = pricesOf(ns).get(id) as PriceObject | undefined;
  if (!price) return missing('price', id, param);
  if (!price.recurring) return invalidRequest(`The price ${id} is not recurring.`, { param });
  return price;
}

export const isAnswer = (value: unknown): value is StripeAnswer =>
  typeof value === 'object' && value !== null && 'status' in value && 'body' in value && !('object' in value);

/** The end, in seconds, of the period of `interval` that starts at `from`. */
export function periodEnd(from: number, interval: Interval): number {
  const d = new Date(from * 1000);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
  if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  if (interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + 1);
  return Math.floor(d.getTime() / 1000);
}

/** An open invoice of a subscription for one period, as Stripe finalizes it. */
export function newInvoice(
  sub: WireObject & { customer: string },
  price: PriceObject,
  period: { start: number; end: number },
  reason: 'subscription_create' | 'subscription_cycle',
): WireObject {
  const id = stripeId('in');
  return {
    id,
    object: 'invoice',
    customer: sub.customer,
    status: 'open',
    billing_reason: reason,
    amount_due: price.unit_amount,
    amount_paid: 0,
    amount_remaining: price.unit_amount,
    currency: price.currency,
    attempt_count: 0,
    attempted: false,
    next_payment_attempt: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/${id}`,
    created: nowSeconds(),
    period_start: period.start,
    period_end: period.end,
    parent: { type: 'subscription_details', subscription_details: { subscription: sub.id, metadata: {} } },
    payments: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${id}/payments` },
    confirmation_secret: null,
  };
}
