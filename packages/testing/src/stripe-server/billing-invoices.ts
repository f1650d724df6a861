import type { SubscriptionObject } from './billing-subscriptions.js';
import type { StripeAnswer } from './errors.js';
import { type Form, field } from './form.js';
import { listPage } from './list.js';
import { createIntent, intentAction } from './payment-intents.js';
import { type Namespace, nowSeconds, type RequestInfo, stripeId, type WireObject } from './state.js';
import { STRIPE_TEST_PAYMENT_METHODS as PM } from './types.js';

// Invoices of subscriptions: collection attempts (paid or declined) and the list.

export type InvoiceObject = WireObject & { status: string; attempt_count: number; payments: { data: WireObject[] } };

/** The subscription's open invoice (the first, or a renewal being dunned), if any. */
export function openInvoice(ns: Namespace, sub: SubscriptionObject): InvoiceObject | undefined {
  const inv = sub.latest_invoice ? (ns.invoices.get(sub.latest_invoice) as InvoiceObject | undefined) : undefined;
  return inv?.status === 'open' ? inv : undefined;
}

/** A PaymentIntent for the invoice's amount, created through the PaymentIntents code so its events are recorded. */
export function invoiceIntent(ns: Namespace, inv: WireObject, request: RequestInfo | null, confirmWith?: string) {
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
