import { liveCustomer } from './billing-customers.js';
import { attemptInvoice, type InvoiceObject } from './billing-invoices.js';
import { isAnswer, pricesOf, recurringPrice } from './billing-objects.js';
import { type SubscriptionObject, startSubscription } from './billing-subscriptions.js';
import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { createIntent } from './payment-intents.js';
import { type Namespace, nowSeconds, type RequestInfo, stripeId, type WireObject } from './state.js';
import { STRIPE_TEST_PAYMENT_METHODS as PM } from './types.js';

type LineItem = { price: string | null; name: string; unit_amount: number; currency: string; quantity: number };
type SessionObject = WireObject & { mode: string; status: string; customer: string | null; currency: string | null };

const lineItemsOf = new WeakMap<SessionObject, LineItem[]>();

/** The session's line items from the form: inline `price_data`, or a price of the namespace. */
function readLineItems(ns: Namespace, form: Form): LineItem[] | StripeAnswer {
  const raw = typeof form.line_items === 'object' ? Object.values(form.line_items) : [];
  const items: LineItem[] = [];
  for (const [i, entry] of raw.entries()) {
    if (typeof entry !== 'object') return invalidRequest('Invalid line_items.', { param: `line_items[${i}]` });
    const quantity = Number(field(entry, 'quantity') ?? '1');
    const priceId = field(entry, 'price');
    const data = typeof entry.price_data === 'object' ? entry.price_data : undefined;
    if (priceId !== undefined) {
      const price = pricesOf(ns).get(priceId);
      if (!price) return missing('price', priceId, `line_items[${i}][price]`);
      items.push({
        price: priceId,
        name: priceId,
        unit_amount: Number(price.unit_amount),
        currency: String(price.currency),
        quantity,
      });
    } else if (data) {
      const product = typeof data.product_data === 'object' ? field(data.product_data, 'name') : undefined;
      items.push({
        price: null,
        name: product ?? 'Item',
        unit_amount: Number(field(data, 'unit_amount')),
        currency: field(data, 'currency')?.toLowerCase() ?? '',
        quantity,
      });
    } else return invalidRequest('Each line item needs price or price_data.', { param: `line_items[${i}]` });
  }
  if (items.length === 0)
    return invalidRequest('Missing required param: line_items.', { code: 'parameter_missing', param: 'line_items' });
  return items;
}

/** `POST /v1/checkout/sessions` `{ mode, line_items, client_reference_id?, customer?, success_url, cancel_url }`. */
export function createCheckoutSession(ns: Namespace, form: Form, _request: RequestInfo): StripeAnswer {
  const mode = field(form, 'mode');
  if (mode !== 'payment' && mode !== 'subscription') return invalidRequest(`Invalid mode: ${mode}.`, { param: 'mode' });
  const customer = field(form, 'customer') ?? null;
  if (customer !== null && !liveCustomer(ns, customer)) return missing('customer', customer, 'customer');
  const items = readLineItems(ns, form);
  if (isAnswer(items)) return items;
  if (mode === 'subscription') {
    const price = recurringPrice(ns, items[0]?.price ?? undefined, 'line_items[0][price]');
    if (isAnswer(price)) return price;
  }
  const id = stripeId('cs_test');
  const session: SessionObject = {
    id,
    object: 'checkout.session',
    mode,
    status: 'open',
    payment_status: 'unpaid',
    client_reference_id: field(form, 'client_reference_id') ?? null,
    customer,
    success_url: field(form, 'success_url') ?? null,
    cancel_url: field(form, 'cancel_url') ?? null,
    amount_total: items.reduce((sum, i) => sum + i.unit_amount * i.quantity, 0),
    currency: items[0]?.currency ?? null,
    payment_intent: null,
    subscription: null,
    metadata: stringMap(form, 'metadata'),
    url: `https://checkout.stripe.com/c/pay/${id}`,
    created: nowSeconds(),
    expires_at: nowSeconds() + 86_400,
    livemode: false,
  };
  lineItemsOf.set(session, items);
  ns.checkoutSessions.set(id, session);
  return ok(session);
}

/** `GET /v1/checkout/sessions/:id`. */
export function retrieveCheckoutSession(ns: Namespace, id: string): StripeAnswer {
  const session = ns.checkoutSessions.get(id);
  return session ? ok(session) : missing('checkout.session', id);
}

/**
 * The buyer paid on Stripe's page (a control): mode payment makes a succeeded PaymentIntent of the total; mode
 * subscription starts the subscription and pays its first invoice. Then `checkout.session.completed`, as Stripe sends.
 */
export function completeCheckoutSession(ns: Namespace, id: string): StripeAnswer {
  const session = ns.checkoutSessions.get(id) as SessionObject | undefined;
  if (!session) return missing('checkout.session', id);
  if (session.status !== 'open') return invalidRequest(`The checkout session ${id} is ${session.status}.`);
  const info = { id: stripeId('req'), idempotencyKey: null };
  const customer = session.customer;
  if (session.mode === 'payment') {
    createIntent(
      ns,
      {
        amount: String(session.amount_total),
        currency: String(session.currency),
        ...(customer && { customer }),
        confirm: 'true',
        payment_method: PM.visa,
      },
      info,
    );
    session.payment_intent = [...ns.intents.values()].at(-1)?.id ?? null;
  } else {
    const price = recurringPrice(ns, lineItemsOf.get(session)?.[0]?.price ?? undefined, 'line_items[0][price]');
    if (isAnswer(price)) return price;
    if (!customer) return invalidRequest('A subscription checkout needs a customer.');
    const sub: SubscriptionObject = startSubscription(ns, customer, price, {}, null);
    const inv = sub.latest_invoice ? ns.invoices.get(sub.latest_invoice) : undefined;
    if (inv) attemptInvoice(ns, sub, inv as InvoiceObject, false, null);
    session.subscription = sub.id;
  }
  Object.assign(session, { status: 'complete', payment_status: 'paid' });
  ns.recordEvent('checkout.session.completed', session, null);
  return ok(session);
}
