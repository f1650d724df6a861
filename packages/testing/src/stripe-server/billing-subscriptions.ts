import { liveCustomer } from './billing-customers.js';
import { attemptInvoice, type InvoiceObject, invoiceIntent, openInvoice } from './billing-invoices.js';
import { isAnswer, newInvoice, type PriceObject, periodEnd, recurringPrice } from './billing-objects.js';
import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { type Namespace, nowSeconds, type RequestInfo, stripeId, type WireObject } from './state.js';

type Item = { id: string; price: PriceObject; current_period_start: number; current_period_end: number };
export type SubscriptionObject = WireObject & {
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  latest_invoice: string | null;
  items: { object: 'list'; data: Item[] };
};

/** A new subscription of `customer` to `price`: `incomplete`, with its first invoice open and finalized. */
export function startSubscription(
  ns: Namespace,
  customer: string,
  price: PriceObject,
  metadata: Record<string, string>,
  request: RequestInfo | null,
): SubscriptionObject {
  const start = nowSeconds();
  const interval = price.recurring?.interval ?? 'month';
  const sub: SubscriptionObject = {
    id: stripeId('sub'),
    object: 'subscription',
    customer,
    status: 'incomplete',
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    created: start,
    start_date: start,
    currency: price.currency,
    metadata,
    latest_invoice: null,
    livemode: false,
    items: {
      object: 'list',
      data: [
        { id: stripeId('si'), price, current_period_start: start, current_period_end: periodEnd(start, interval) },
      ],
    },
  };
  const inv = newInvoice(
    sub,
    price,
    { start, end: periodEnd(start, interval) },
    'subscription_create',
  ) as InvoiceObject;
  const pi = invoiceIntent(ns, inv, request);
  if (pi) {
    inv.payments.data.push({
      id: stripeId('inpay'),
      object: 'invoice_payment',
      invoice: inv.id,
      is_default: true,
      amount_paid: 0,
      amount_requested: pi.amount,
      currency: pi.currency,
      payment: { type: 'payment_intent', payment_intent: pi.id },
      status: 'open',
    });
    inv.confirmation_secret = { client_secret: pi.client_secret, type: 'payment_intent' };
  }
  ns.invoices.set(inv.id, inv);
  sub.latest_invoice = inv.id;
  ns.subscriptions.set(sub.id, sub);
  ns.recordEvent('customer.subscription.created', sub, request);
  ns.recordEvent('invoice.finalized', inv, request);
  return sub;
}

/** The subscription with `latest_invoice` expanded when `expand[]` asks for it. */
function withExpansions(ns: Namespace, sub: SubscriptionObject, form: Form): StripeAnswer {
  const expand = typeof form.expand === 'object' ? Object.values(form.expand) : [];
  const wants = expand.some((e) => typeof e === 'string' && e.startsWith('latest_invoice'));
  const inv = sub.latest_invoice ? ns.invoices.get(sub.latest_invoice) : undefined;
  return ok(wants && inv ? { ...sub, latest_invoice: inv } : sub);
}

/** `POST /v1/subscriptions` `{ customer, items[0][price], payment_behavior?, metadata?, expand[]? }`. */
export function createSubscription(ns: Namespace, form: Form, request: RequestInfo): StripeAnswer {
  const customer = field(form, 'customer');
  if (!liveCustomer(ns, customer)) return missing('customer', String(customer), 'customer');
  const items = typeof form.items === 'object' ? form.items : {};
  const first = items['0'];
  const price = recurringPrice(ns, typeof first === 'object' ? field(first, 'price') : undefined, 'items[0][price]');
  if (isAnswer(price)) return price;
  const sub = startSubscription(ns, String(customer), price, stringMap(form, 'metadata'), request);
  return withExpansions(ns, sub, form);
}

/** `GET /v1/subscriptions/:id`. */
export function retrieveSubscription(ns: Namespace, id: string, query: Form): StripeAnswer {
  const sub = ns.subscriptions.get(id) as SubscriptionObject | undefined;
  return sub ? withExpansions(ns, sub, query) : missing('subscription', id);
}

/** `POST /v1/subscriptions/:id` `{ cancel_at_period_end }`. */
export function updateSubscription(ns: Namespace, id: string, form: Form, request: RequestInfo): StripeAnswer {
  const sub = ns.subscriptions.get(id) as SubscriptionObject | undefined;
  if (!sub) return missing('subscription', id);
  if (sub.status === 'canceled') return invalidRequest('A canceled subscription can only update its metadata.');
  const flag = field(form, 'cancel_at_period_end');
  if (flag !== undefined && flag !== String(sub.cancel_at_period_end)) {
    sub.cancel_at_period_end = flag === 'true';
    ns.recordEvent('customer.subscription.updated', sub, request);
  }
  return withExpansions(ns, sub, form);
}

/** `DELETE /v1/subscriptions/:id`: ends it now. */
export function endSubscription(ns: Namespace, id: string, request: RequestInfo | null): StripeAnswer {
  const sub = ns.subscriptions.get(id) as SubscriptionObject | undefined;
  if (!sub) return missing('subscription', id);
  if (sub.status === 'canceled') return invalidRequest(`The subscription ${id} is already canceled.`);
  Object.assign(sub, { status: 'canceled', canceled_at: nowSeconds(), ended_at: nowSeconds() });
  ns.recordEvent('customer.subscription.deleted', sub, request);
  return ok(sub);
}

/**
 * The renewal control: an `incomplete` subscription's first invoice is paid (or fails); an active one that is set to
 * cancel ends; any other active one starts its next period with a new invoice and collects it; a `past_due` one is
 * retried on its open invoice. `fail` declines the card.
 */
export function renewSubscription(ns: Namespace, id: string, fail: boolean): StripeAnswer {
  const sub = ns.subscriptions.get(id) as SubscriptionObject | undefined;
  if (!sub) return missing('subscription', id);
  if (sub.status === 'canceled') return invalidRequest(`The subscription ${id} is canceled.`);
  if (sub.status === 'active' && sub.cancel_at_period_end) return endSubscription(ns, id, null);
  let inv = openInvoice(ns, sub);
  if (!inv && sub.status === 'active') {
    const item = sub.items.data[0];
    if (!item) return invalidRequest(`The subscription ${id} has no items.`);
    const start = item.current_period_end;
    const end = periodEnd(start, item.price.recurring?.interval ?? 'month');
    inv = newInvoice(sub, item.price, { start, end }, 'subscription_cycle') as InvoiceObject;
    ns.invoices.set(inv.id, inv);
    sub.latest_invoice = inv.id;
    ns.recordEvent('invoice.finalized', inv, null);
  }
  if (!inv) return invalidRequest(`The subscription ${id} has nothing to collect.`);
  attemptInvoice(ns, sub, inv, fail, null);
  return ok(sub);
}
