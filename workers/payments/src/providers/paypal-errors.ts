import type { PayPalCall } from './paypal-client.js';
import type { ProviderResult } from './provider.js';

// PayPal's 422 issues that mean the buyer's funding was refused: a decline (402), not a request the platform got
// wrong. The buyer may approve again with another funding source.
const DECLINE_ISSUES = new Set([
  'INSTRUMENT_DECLINED',
  'TRANSACTION_REFUSED',
  'PAYER_CANNOT_PAY',
  'PAYER_ACCOUNT_RESTRICTED',
  'PAYER_ACCOUNT_LOCKED_OR_CLOSED',
  'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
  'CARD_EXPIRED',
  'CARD_CLOSED',
  'MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED',
  'COMPLIANCE_VIOLATION',
]);

/** Stripe's code for a payment method its provider declined: the vocabulary of `PaymentError.code`. */
export const PAYPAL_DECLINE_CODE = 'payment_method_provider_decline';

/** The first issue of a PayPal error (`details[0].issue`), e.g. `ORDER_NOT_APPROVED`. */
export const issueOf = (call: PayPalCall): string | undefined =>
  call.ok ? undefined : call.error?.details?.[0]?.issue;

/**
 * The platform's result for a failed call: whose fault it was decides between 402 (declined), a request the
 * platform got wrong (invalid, 400) and a PayPal that cannot answer (unavailable, 502): no connection, a token it
 * refuses even fresh (401/403: the app's credentials or permissions), 429 and 5xx.
 */
export function failureOf<T>(call: Extract<PayPalCall, { ok: false }>): ProviderResult<T> {
  const issue = issueOf(call);
  if (call.status === 422 && issue && DECLINE_ISSUES.has(issue)) {
    const description = call.error?.details?.[0]?.description ?? call.error?.message ?? 'The payment was declined.';
    return {
      ok: false,
      kind: 'declined',
      error: { code: PAYPAL_DECLINE_CODE, declineCode: issue.toLowerCase(), message: description },
    };
  }
  if (call.status === 400 || call.status === 404 || call.status === 422) {
    const debug = call.error?.debug_id ? ` (debug_id ${call.error.debug_id})` : '';
    return { ok: false, kind: 'invalid', message: `PayPal refused the request: ${call.message}${debug}` };
  }
  const reason = call.status === 0 ? `unreachable: ${call.message}` : `${call.status} ${call.message}`;
  return { ok: false, kind: 'unavailable', message: `PayPal is unavailable: ${reason}` };
}
