import Stripe from 'stripe';

/** How far a signature's timestamp may lie in the past, in seconds: Stripe's default, which stops replays. */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a delivery was refused; never echoes the secret or the expected signature. */
export type StripeVerification = { ok: true; event: Stripe.Event } | { ok: false; reason: string };

/**
 * Checks a Stripe delivery on the exact bytes Stripe signed (`Stripe-Signature`: `t=…,v1=…`, HMAC-SHA256 with the
 * endpoint's `whsec_…` secret through SubtleCrypto) and only then parses it. A forged or missing signature, a
 * timestamp older than the tolerance (a replay) or a body that is not an event is refused.
 */
export async function verifyStripeEvent(
  raw: string,
  signature: string | undefined,
  secret: string,
): Promise<StripeVerification> {
  if (!signature) return { ok: false, reason: 'The Stripe-Signature header is missing.' };
  try {
    const event = await Stripe.webhooks.constructEventAsync(
      raw,
      signature,
      secret,
      STRIPE_SIGNATURE_TOLERANCE_SECONDS,
      Stripe.createSubtleCryptoProvider(),
    );
    if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.created !== 'number') {
      return { ok: false, reason: 'The signed body is not a Stripe event.' };
    }
    return { ok: true, event };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      return { ok: false, reason: 'The Stripe signature is invalid or its timestamp is too old.' };
    }
    // Verified bytes that are not JSON: Stripe never sends them, so they are refused like a bad signature.
    return { ok: false, reason: 'The signed body is not a Stripe event.' };
  }
}
