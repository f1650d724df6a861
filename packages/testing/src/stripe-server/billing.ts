import { completeCheckoutSession, createCheckoutSession, retrieveCheckoutSession } from './billing-checkout.js';
import { createCustomer, deleteCustomer, listCustomers, retrieveCustomer } from './billing-customers.js';
import { listInvoices } from './billing-invoices.js';
import { createPrice, pricesOf } from './billing-objects.js';
import {
  createSubscription,
  endSubscription,
  renewSubscription,
  retrieveSubscription,
  updateSubscription,
} from './billing-subscriptions.js';
import { missing, type StripeAnswer } from './errors.js';
import type { Form } from './form.js';
import { parseForm } from './form.js';
import type { StripeRequest } from './router.js';
import type { Namespace, RequestInfo } from './state.js';

/**
 * Customers, prices, checkout sessions, subscriptions and invoices; undefined for a path it does not serve. The two
 * test controls are served here too, under `/v1/test_helpers/` like Stripe's own test helpers (the secret key names
 * the namespace): `POST /v1/test_helpers/checkout/sessions/:id/complete` (the buyer paid on Stripe's page) and
 * `POST /v1/test_helpers/subscriptions/:id/renew` `fail=true?` (the next period collected, or declined).
 */
export function billingRoute(
  req: StripeRequest,
  ns: Namespace,
  form: Form,
  info: RequestInfo,
): StripeAnswer | undefined {
  const { method, path } = req;
  const query = parseForm(req.query);
  if (method === 'POST' && path === '/v1/customers') return createCustomer(ns, form, info);
  if (method === 'GET' && path === '/v1/customers') return listCustomers(ns, query);
  const customer = /^\/v1\/customers\/([^/]+)$/.exec(path)?.[1];
  if (customer && method === 'GET') return retrieveCustomer(ns, customer);
  if (customer && method === 'DELETE') return deleteCustomer(ns, customer, info);
  if (method === 'POST' && path === '/v1/prices') return createPrice(ns, form);
  const price = /^\/v1\/prices\/([^/]+)$/.exec(path)?.[1];
  if (price && method === 'GET') {
    const found = pricesOf(ns).get(price);
    return found ? { status: 200, body: found } : missing('price', price);
  }
  if (method === 'POST' && path === '/v1/checkout/sessions') return createCheckoutSession(ns, form, info);
  const session = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path)?.[1];
  if (session && method === 'GET') return retrieveCheckoutSession(ns, session);
  if (method === 'POST' && path === '/v1/subscriptions') return createSubscription(ns, form, info);
  const sub = /^\/v1\/subscriptions\/([^/]+)$/.exec(path)?.[1];
  if (sub && method === 'GET') return retrieveSubscription(ns, sub, query);
  if (sub && method === 'POST') return updateSubscription(ns, sub, form, info);
  if (sub && method === 'DELETE') return endSubscription(ns, sub, info);
  if (method === 'GET' && path === '/v1/invoices') return listInvoices(ns, query);
  return billingControl(ns, method, path, form);
}

/**
 * The billing controls, by path: `…/checkout/sessions/:id/complete` and `…/subscriptions/:id/renew` (`fail` true
 * declines the card), under `/v1/test_helpers` or `/__` (the control endpoints' prefix).
 */
export function billingControl(
  ns: Namespace,
  method: string,
  path: string,
  body: Record<string, unknown>,
): StripeAnswer | undefined {
  if (method !== 'POST') return undefined;
  const complete = /^\/(?:v1\/test_helpers\/|__)checkout(?:\/sessions)?\/([^/]+)\/complete$/.exec(path)?.[1];
  if (complete) return completeCheckoutSession(ns, complete);
  const renew = /^\/(?:v1\/test_helpers\/|__)subscriptions\/([^/]+)\/renew$/.exec(path)?.[1];
  if (renew) return renewSubscription(ns, renew, body.fail === true || body.fail === 'true');
  return undefined;
}
