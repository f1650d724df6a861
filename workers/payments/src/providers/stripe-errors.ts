import Stripe from 'stripe';
import type { ProviderResult } from './provider.js';

/**
 * The platform's result for an SDK error: whose fault it was decides between 402 (declined), a request the platform
 * got wrong (invalid) and a provider that cannot answer (unavailable, 502/503).
 */
export function failureOf<T>(err: unknown, declinedValue?: (pi: Stripe.PaymentIntent) => T): ProviderResult<T> {
  if (err instanceof Stripe.errors.StripeCardError) {
    const pi = err.payment_intent;
    return {
      ok: false,
      kind: 'declined',
      error: {
        code: err.code ?? 'card_declined',
        ...(err.decline_code && { declineCode: err.decline_code }),
        message: err.message,
      },
      // The intent as it now stands (back to requires_payment_method), for the caller to record the attempt.
      ...(pi && declinedValue && { value: declinedValue(pi) }),
    };
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeIdempotencyError) {
    return { ok: false, kind: 'invalid', message: err.message };
  }
  // Connection errors, 5xx, rate limits, and a key Stripe refuses: none is the client's doing, all may pass.
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, kind: 'unavailable', message: `Stripe is unavailable: ${message}` };
}
