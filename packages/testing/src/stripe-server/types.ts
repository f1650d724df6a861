// Shapes shared by the local Stripe server (Node) and the tests that drive it (workerd): no Node imports here.

/**
 * Secret keys the server accepts start with this; the rest of the key names the test's namespace, the way a real
 * key names a Stripe account, so parallel test files never see each other's objects, events or scripts.
 */
export const STRIPE_TEST_KEY_PREFIX = 'sk_test_';

/** Stripe's test payment methods the server knows, and what confirming with each does. */
export const STRIPE_TEST_PAYMENT_METHODS = {
  /** Succeeds (or waits for capture with `capture_method=manual`). */
  visa: 'pm_card_visa',
  /** Declined: 402 `card_declined`, decline code `generic_decline`. */
  declined: 'pm_card_chargeDeclined',
  /** Declined: 402 `card_declined`, decline code `insufficient_funds`. */
  insufficientFunds: 'pm_card_chargeDeclinedInsufficientFunds',
  /** 3-D Secure: `requires_action` until completed with `POST /__advance`. */
  authenticationRequired: 'pm_card_authenticationRequired',
  /** A delayed bank debit: `processing` until settled with `POST /__advance`. */
  usBankAccount: 'pm_usBankAccount',
} as const;

/** An answer queued with `POST /__script`: it replaces the server's answer to the next API call of the namespace. */
export interface StripeScriptedAnswer {
  status: number;
  /** A Stripe error object by default (`api_error` for 5xx). */
  body?: unknown;
  headers?: Record<string, string>;
  /** The call is carried out first and this answer replaces Stripe's: a reply lost on its way back. */
  afterHandling?: boolean;
}

/** A Stripe `Event` as the server records it for every state change (what Stripe would deliver as a webhook). */
export interface StripeTestEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: Record<string, unknown> };
}

/** What `POST /__advance` does to a payment waiting on the buyer or the bank. */
export interface StripeAdvance {
  paymentIntent: string;
  /** `succeed` (default) completes 3-D Secure or settles a bank debit; `fail` refuses it. */
  outcome?: 'succeed' | 'fail';
}

/** One attempt of the server to deliver an event to a registered webhook endpoint (`status` 0: no connection). */
export interface StripeWebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  status: number;
}

/** A webhook endpoint registered with `POST /__webhook-endpoints`: every later event is signed and posted to it. */
export interface StripeWebhookEndpoint {
  url: string;
  /** The endpoint's signing secret (`whsec_…`), the platform's `STRIPE_WEBHOOK_SECRET`. */
  secret: string;
}
