// Signed Stripe webhook deliveries for the bench: each one a new event id, signed by the stripe package's own
// test-header helper (the signature scheme `stripe listen` and Stripe use), with the secret the bench gives payments.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
// `stripe` is a dependency of the payments Worker, not of the repository's root: resolve it from there.
const Stripe = createRequire(join(root, 'workers', 'payments', 'package.json'))('stripe');

/** The endpoint secret payments checks webhooks with in the bench. */
export const BENCH_STRIPE_WEBHOOK_SECRET = 'whsec_onasis_bench_secret';

const runTag = randomBytes(4).toString('hex');
let sequence = 0;

/** A Stripe event of `type` about `object`, with an id no other delivery of this process has. */
export function stripeEvent(type, object) {
  return {
    id: `evt_bench_${runTag}_${process.pid}_${++sequence}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/** The body and headers of one signed delivery of `event`. */
export function signedDelivery(event, secret = BENCH_STRIPE_WEBHOOK_SECRET) {
  const body = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}

/**
 * A delivery of an event type the platform records and does not act on (`customer.created`): what the ack path
 * costs (verify the signature, store the event by id, queue it) with a consumer that only marks it ignored.
 */
export function ackDelivery() {
  return signedDelivery(stripeEvent('customer.created', { id: `cus_bench_${sequence}`, object: 'customer' }));
}

/** A delivery of `payment_intent.succeeded` for the Stripe PaymentIntent `id` of `amount` cents. */
export function succeededDelivery(id, amount) {
  return signedDelivery(
    stripeEvent('payment_intent.succeeded', {
      id,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      currency: 'usd',
      status: 'succeeded',
      capture_method: 'automatic',
      last_payment_error: null,
      next_action: null,
      client_secret: null,
    }),
  );
}

/** Builds one delivery of the kind a scenario names (`generate`), fresh for every request. */
export function generated(kind) {
  if (kind === 'stripe-webhook') return ackDelivery();
  throw new Error(`unknown generated request kind ${kind}`);
}
