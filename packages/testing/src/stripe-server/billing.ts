import type { StripeAnswer } from './errors.js';
import type { Form } from './form.js';
import type { StripeRequest } from './router.js';
import type { Namespace, RequestInfo } from './state.js';

/** Customers, checkout sessions, subscriptions and invoices; undefined for a path it does not serve. */
export function billingRoute(
  _req: StripeRequest,
  _ns: Namespace,
  _form: Form,
  _info: RequestInfo,
): StripeAnswer | undefined {
  return undefined;
}
