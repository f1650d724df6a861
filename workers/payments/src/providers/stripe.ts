import Stripe from 'stripe';
import type {
  CreateIntentInput,
  PaymentProvider,
  ProviderEvent,
  ProviderIntent,
  ProviderRefund,
  ProviderResult,
} from './provider.js';
import { stripeBillingCalls } from './stripe-billing-calls.js';
import { failureOf } from './stripe-errors.js';
import { intentOf, refundOf, stripeEventOf } from './stripe-objects.js';

export { failureOf } from './stripe-errors.js';
export { intentOf, refundOf, stripeEventOf } from './stripe-objects.js';

/** Where and how to reach Stripe; `host`/`port`/`protocol` point the SDK at a local server in tests. */
export interface StripeProviderOptions {
  secretKey: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Where Stripe sends the buyer back after a redirect (3-D Secure, bank pages) on a server-side confirm. */
  returnUrl?: string;
  /** The SDK's own retries of connection errors, 409s and 5xx, each with the same idempotency key (default 2). */
  maxNetworkRetries?: number;
  /** Per request, in ms: a Worker must answer the gateway well before its own limits. */
  timeoutMs?: number;
}

/**
 * The Worker's optional Stripe settings (secrets set with `wrangler secret put`, or `.dev.vars`). `ENVIRONMENT` is
 * shared with the generated `PaymentsEnv`, which makes that type assignable to this one.
 */
export interface StripeEnv {
  ENVIRONMENT?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Another API origin than Stripe's, e.g. the local Stripe server of `@onasis/testing` (`http://127.0.0.1:12111`). */
  STRIPE_API_BASE?: string;
  /** Where Stripe sends a buyer back after a redirect on a server-side confirm (required by Stripe for those). */
  STRIPE_RETURN_URL?: string;
}

/** The Stripe adapter when `STRIPE_SECRET_KEY` is set, else null (payments go to the sandbox). */
export function stripeProviderFrom(env: StripeEnv): PaymentProvider | null {
  if (!env.STRIPE_SECRET_KEY) return null;
  const base = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : null;
  return createStripeProvider({
    secretKey: env.STRIPE_SECRET_KEY,
    ...(env.STRIPE_RETURN_URL && { returnUrl: env.STRIPE_RETURN_URL }),
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'http:' ? 80 : 443)),
      protocol: base.protocol === 'http:' ? 'http' : 'https',
    }),
  });
}

/** The SDK on Workers: fetch instead of Node's http, SubtleCrypto for webhook signatures. */
export function stripeClient(options: StripeProviderOptions): Stripe {
  return new Stripe(options.secretKey, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 15_000,
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.protocol !== undefined && { protocol: options.protocol }),
  });
}

const now = (pi: Stripe.PaymentIntent) => intentOf(pi, Date.now());

async function intentCall(call: () => Promise<Stripe.PaymentIntent>): Promise<ProviderResult<ProviderIntent>> {
  try {
    return { ok: true, value: now(await call()) };
  } catch (err) {
    return failureOf(err, now);
  }
}

/**
 * Stripe behind the platform's `PaymentProvider`. Retries: every mutating call carries the caller's idempotency key,
 * and the SDK's own retries reuse it, so a call repeated after a lost answer gets Stripe's first answer back (within
 * Stripe's 24 hours of keeping keys) instead of a second PaymentIntent, capture or refund.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = stripeClient(options);
  const pis = stripe.paymentIntents;
  return {
    name: 'stripe',
    ...stripeBillingCalls(stripe),
    createIntent: (input: CreateIntentInput) =>
      intentCall(() =>
        pis.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            capture_method: input.captureMethod,
            ...(input.description !== undefined && { description: input.description }),
            ...(input.metadata !== undefined && { metadata: input.metadata }),
            ...(input.customerId !== undefined && { customer: input.customerId }),
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      ),
    retrieveIntent: (providerId) => intentCall(() => pis.retrieve(providerId)),
    confirmIntent: (providerId, paymentMethod, idempotencyKey) =>
      intentCall(() =>
        pis.confirm(
          providerId,
          {
            payment_method: paymentMethod,
            ...(options.returnUrl !== undefined && { return_url: options.returnUrl }),
          },
          { idempotencyKey },
        ),
      ),
    captureIntent: (providerId, amount, idempotencyKey) =>
      intentCall(() =>
        pis.capture(providerId, amount === undefined ? {} : { amount_to_capture: amount }, { idempotencyKey }),
      ),
    cancelIntent: (providerId, idempotencyKey) => intentCall(() => pis.cancel(providerId, {}, { idempotencyKey })),
    createRefund: async (paymentProviderId, amount, reason, idempotencyKey) => {
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: paymentProviderId,
            amount,
            ...(isRefundReason(reason) && { reason }),
          },
          { idempotencyKey },
        );
        return { ok: true, value: refundOf(refund) };
      } catch (err) {
        return failureOf<ProviderRefund>(err);
      }
    },
    listEvents: async (sinceMs) => {
      try {
        const events: ProviderEvent[] = [];
        // The SDK pages through `has_more` itself; reconciliation looks back a day or two, not at all history.
        for await (const event of stripe.events.list({ created: { gte: Math.floor(sinceMs / 1000) }, limit: 100 })) {
          events.push(stripeEventOf(event));
        }
        return { ok: true, value: events };
      } catch (err) {
        return failureOf<ProviderEvent[]>(err);
      }
    },
  };
}

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/** Stripe takes only its own three reasons; any other text stays with the platform's refund, not Stripe's. */
function isRefundReason(reason: string | undefined): reason is (typeof REFUND_REASONS)[number] {
  return (REFUND_REASONS as readonly (string | undefined)[]).includes(reason);
}
