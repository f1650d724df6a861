import { missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field, stringMap } from './form.js';
import { listPage } from './list.js';
import { type Namespace, nowSeconds, type RequestInfo, stripeId, type WireObject } from './state.js';

/** `POST /v1/customers` `{ email?, name?, metadata? }`. */
export function createCustomer(ns: Namespace, form: Form, request: RequestInfo): StripeAnswer {
  const customer: WireObject = {
    id: stripeId('cus'),
    object: 'customer',
    created: nowSeconds(),
    email: field(form, 'email') ?? null,
    name: field(form, 'name') ?? null,
    metadata: stringMap(form, 'metadata'),
    livemode: false,
  };
  ns.customers.set(customer.id, customer);
  ns.recordEvent('customer.created', customer, request);
  return ok(customer);
}

/** A live customer of the namespace, or undefined (never made, or deleted). */
export function liveCustomer(ns: Namespace, id: string | undefined): WireObject | undefined {
  const customer = id === undefined ? undefined : ns.customers.get(id);
  return customer && customer.deleted !== true ? customer : undefined;
}

/** `GET /v1/customers/:id`: a deleted customer answers `{ id, object, deleted: true }`, as Stripe does. */
export function retrieveCustomer(ns: Namespace, id: string): StripeAnswer {
  const customer = ns.customers.get(id);
  if (!customer) return missing('customer', id);
  return ok(customer.deleted === true ? { id, object: 'customer', deleted: true } : customer);
}

/** `DELETE /v1/customers/:id`: personal data gone; a second delete is a 404, as in Stripe. */
export function deleteCustomer(ns: Namespace, id: string, request: RequestInfo): StripeAnswer {
  const customer = liveCustomer(ns, id);
  if (!customer) return missing('customer', id);
  const gone = { id, object: 'customer', deleted: true };
  ns.customers.set(id, gone);
  ns.recordEvent('customer.deleted', { ...customer, email: null, name: null }, request);
  return ok(gone);
}

/** `GET /v1/customers`: newest first, without deleted ones. */
export function listCustomers(ns: Namespace, query: Form): StripeAnswer {
  const all = [...ns.customers.values()].filter((c) => c.deleted !== true).reverse();
  return listPage(all, query, '/v1/customers', 'customer');
}
