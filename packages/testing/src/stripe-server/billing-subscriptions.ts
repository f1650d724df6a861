import { liveCustomer } from './billing-customers.js';
import { isAnswer, newInvoice, type PriceObject, periodEnd, recurringPrice } from './billing-objects.js';
import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { listPage } from './list.js';
import { createIntent, intentAction } from './payment-intents.js';
import { type Namespace, nowSeconds, type RequestInfo, stripeId, type WireObject } from './state.js';
import { STRIPE_TEST_PAYMENT_METHODS as PM } from './types.js';

type Item = { id: string; price: PriceObject; current_period_start: number; current_period_end: number };
export type SubscriptionObject = WireObject & {
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  latest_invoice: string | null;
  items: { object: 'list'; data: Item[] };
};
export type InvoiceObject = WireObject & { status: string; attempt_count: number; payments: { data: WireObject[] } };

/** The subscription's open invoice (the first, or a renewal being dunned), if any. */
function openInvoice(ns: Namespace, sub: SubscriptionObject): InvoiceObject | undefined {
  const inv = sub.latest_invoice ? (ns.invoices.get(sub.latest_invoice) as InvoiceObject | undefined) : undefined;
  return inv?.status === 'open' ? inv : undefined;
}

/** A PaymentIntent for the invoice's amount, created through the PaymentIntents code so its events are recorded. */
function invoiceIntent(ns: Namespace, inv: WireObject, request: RequestInfo | null, confirmWith?: string) {
  const form: Form = {
    amount: String(inv.amount_due),
    currency: String(inv.currency),
    customer: String(inv.customer),
    description: `Invoice ${inv.id}`,
    ...(confirmWith && { confirm: 'true', payment_method: confirmWith }),
  };
  createIntent(ns, form, request ?? { id: stripeId('req'), idempotencyKey: null });
  return [...ns.intents.values()].at(-1);
}

/**
 * One collection attempt of an open invoice: its open PaymentIntent confirmed (or a new one), with `pm_card_visa` or a
 * declined card. Paid: the invoice is paid and the subscription active (a renewal's period starts). Failed: the
 * attempt is counted, and a subscription that was active goes `past_due`. Each change records Stripe's events.
 */
export function attemptInvoice(
  ns: Namespace,
  sub: SubscriptionObject,
  inv: InvoiceObject,
  fail: boolean,
  request: RequestInfo | null,
): void {
  const method = fail ? PM.declined : PM.visa;
  const info = request ?? { id: stripeId('req'), idempotencyKey: null };
  const open = inv.payments.data.find((p) => p.status === 'open');
  const openPi = open ? ns.intents.get(String((open.payment as { payment_intent: string }).payment_intent)) : undefined;
  let pi = openPi;
  if (pi && ['requires_payment_method', 'requires_confirmation'].includes(pi.status)) {
    intentAction(ns, pi.id, 'confirm', { payment_method: method }, info);
  } else pi = invoiceIntent(ns, inv, request, method);
  if (!pi) return;
  const paid = pi.status === 'succeeded';
  const entry = open ?? { id: stripeId('inpay'), object: 'invoice_payment', invoice: inv.id, is_default: true };
  Object.assign(entry, {
    amount_paid: paid ? pi.amount : 0,
    amount_requested: pi.amount,
    currency: pi.currency,
    payment: { type: 'payment_intent', payment_intent: pi.id },
    status: paid ? 'paid' : 'open',
  });
  if (!open) inv.payments.data.push(entry);
  inv.attempt_count += 1;
  inv.attempted = true;
  const before = sub.status;
  if (paid) {
    Object.assign(inv, { status: 'paid', amount_paid: pi.amount, amount_remaining: 0, next_payment_attempt: null });
    ns.recordEvent('invoice.paid', inv, request);
    ns.recordEvent('invoice.payment_succeeded', inv, request);
    const item = sub.items.data[0];
    if (item && inv.billing_reason === 'subscription_cycle') {
      item.current_period_start = Number(inv.period_start);
      item.current_period_end = Number(inv.period_end);
    }
    sub.status = 'active';
  } else {
    inv.next_payment_attempt = inv.attempt_count < 4 ? nowSeconds() + 3 * 86_400 : null;
    ns.recordEvent('invoice.payment_failed', inv, request);
    if (sub.status === 'active') sub.status = 'past_due';
  }
  if (sub.status !== before || (paid && inv.billing_reason === 'subscription_cycle')) {
    ns.recordEvent('customer.subscription.updated', sub, request);
  }
}

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

/** `GET /v1/invoices` (`customer`, `subscription`, `status` filters), newest first. */
export function listInvoices(ns: Namespace, query: Form): StripeAnswer {
  const customer = field(query, 'customer');
  const subscription = field(query, 'subscription');
  const status = field(query, 'status');
  const all = [...ns.invoices.values()].reverse().filter((inv) => {
    const parent = inv.parent as { subscription_details?: { subscription?: string } } | null;
    return (
      (!customer || inv.customer === customer) &&
      (!subscription || parent?.subscription_details?.subscription === subscription) &&
      (!status || inv.status === status)
    );
  });
  return listPage(all, query, '/v1/invoices', 'invoice');
}
