import type { StripeAnswer } from './errors.js';
import type { Form } from './form.js';
import type { StripeRequest } from './router.js';
import type { Namespace, RequestInfo } from './state.js';

/** Disputes; undefined for a path it does not serve. */
export function disputeRoute(
  _req: StripeRequest,
  _ns: Namespace,
  _form: Form,
  _info: RequestInfo,
): StripeAnswer | undefined {
  return undefined;
}
