/**
 * One payment provider behind the platform's own model. Every adapter (sandbox, stripe, paypal) maps its objects to
 * these shapes, so that routes, the event consumer and reconciliation never see a provider's wire format. Amounts
 * are integers in minor units; currencies are lower-case ISO 4217 codes.
 */
import type {
  CheckoutInput,
  ProviderCheckoutSession,
  ProviderInvoice,
  ProviderSubscription,
} from './provider-billing.js';
import type { ProviderDispute } from './provider-disputes.js';

/** Names of the providers the platform can speak to. */
export const PROVIDER_NAMES = ['sandbox', 'stripe', 'paypal'] as const;

/** A provider's name. */
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Where a payment stands, in Stripe's vocabulary (PayPal's and Square's states map onto it: see the README). */
export const INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
] as const;

/** A payment's status. */
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/** Why the provider refused a payment the client caused (a declined card), as the API reports it. */
export interface PaymentError {
  /** Stripe-style error code, e.g. `card_declined`. */
  code: string;
  /** The issuer's reason when there is one, e.g. `insufficient_funds`. */
  declineCode?: string;
  message: string;
}

/** A payment as the provider holds it. */
export interface ProviderIntent {
  /** The provider's id (`pi_…`, a PayPal order id, `sbx_pi_…`). */
  providerId: string;
  status: IntentStatus;
  amount: number;
  /** What has been captured so far (partial captures allowed). */
  amountCaptured: number;
  currency: string;
  /** For the client to confirm with the provider's own UI (Stripe.js, the sandbox page). */
  clientSecret?: string;
  /** Where the buyer approves the payment (PayPal, the sandbox's 3-D Secure page). */
  approvalUrl?: string;
  /** The last refusal, when the provider declined the last attempt. */
  lastError?: PaymentError;
  /** The provider's own time of this state, in ms: orders out-of-order events (an older state never wins). */
  updatedAt: number;
}

/** A refund as the provider holds it. */
export interface ProviderRefund {
  providerId: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  amount: number;
  currency: string;
}

/** What creating a payment needs. `idempotencyKey` is derived from the platform's own id (`pay_…`). */
export interface CreateIntentInput {
  amount: number;
  currency: string;
  description?: string;
  metadata?: Record<string, string>;
  captureMethod: 'automatic' | 'manual';
  /** The provider's customer id of the payer, when one exists. */
  customerId?: string;
  /** The platform's payment id (`pay_…`), kept on the provider's object to find one from the other. */
  reference?: string;
  idempotencyKey: string;
}

/**
 * A provider's answer to a call: the object, a refusal the client caused (402 `PAYMENT_FAILED`), or a failure of the
 * provider itself (502/503; nothing may be recorded half).
 */
export type ProviderResult<T> =
  | { ok: true; value: T }
  | { ok: false; kind: 'declined'; error: PaymentError; value?: T }
  | { ok: false; kind: 'invalid'; message: string }
  | { ok: false; kind: 'unavailable'; message: string };

/**
 * An event from a provider, verified and normalised: what the platform applies. The same path serves real webhooks
 * and the sandbox's own state changes.
 */
export interface ProviderEvent {
  /** The provider's event id (`evt_…`, `WH-…`, `sbx_evt_…`): duplicates are recognised by it. */
  id: string;
  provider: ProviderName;
  /** The provider's type, e.g. `payment_intent.succeeded`; unknown types are recorded as ignored. */
  type: string;
  /** When the provider created the event, in ms. */
  createdAt: number;
  /** The object the event is about, mapped; absent for types the platform does not apply. */
  intent?: ProviderIntent;
  refund?: ProviderRefund & { paymentProviderId: string };
  checkoutSession?: ProviderCheckoutSession;
  subscription?: ProviderSubscription;
  invoice?: ProviderInvoice;
  dispute?: ProviderDispute;
}

/** The operations every adapter implements. Each call is safe to retry with the same `idempotencyKey`. */
export interface PaymentProvider {
  readonly name: ProviderName;
  createIntent(input: CreateIntentInput): Promise<ProviderResult<ProviderIntent>>;
  retrieveIntent(providerId: string): Promise<ProviderResult<ProviderIntent>>;
  /** Server-side confirmation with a payment method id (`pm_card_visa`, …). */
  confirmIntent(
    providerId: string,
    paymentMethod: string,
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderIntent>>;
  /** Captures `amount` (all of what is capturable when absent) of an authorised payment. */
  captureIntent(
    providerId: string,
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderIntent>>;
  cancelIntent(providerId: string, idempotencyKey: string): Promise<ProviderResult<ProviderIntent>>;
  createRefund(
    paymentProviderId: string,
    amount: number,
    reason: string | undefined,
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderRefund>>;

  // Optional from here: a route whose provider lacks one answers 400 naming the provider (the sandbox and Stripe
  // implement them all, PayPal the payment side only).
  /** The payer's customer record at the provider (one per platform user). */
  createCustomer?(
    input: { userId: string; email?: string },
    idempotencyKey: string,
  ): Promise<ProviderResult<{ customerId: string }>>;
  /** Deletes the customer's personal data at the provider (`user.deleted`). A customer already gone is ok. */
  deleteCustomer?(customerId: string): Promise<ProviderResult<{ deleted: true }>>;
  createCheckoutSession?(input: CheckoutInput): Promise<ProviderResult<ProviderCheckoutSession>>;
  createSubscription?(
    input: { customerId: string; price: string; reference: string },
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderSubscription>>;
  retrieveSubscription?(providerId: string): Promise<ProviderResult<ProviderSubscription>>;
  /** Stops renewal at the end of the current period (the platform never cancels a paid period early). */
  cancelSubscription?(providerId: string, idempotencyKey: string): Promise<ProviderResult<ProviderSubscription>>;
  /**
   * The provider's events since `sinceMs`, newest first, mapped: what reconciliation compares with what arrived.
   * `undefined` from an adapter whose provider keeps no event list (the sandbox sends all of its own).
   */
  listEvents?(sinceMs: number): Promise<ProviderResult<ProviderEvent[]>>;
}
