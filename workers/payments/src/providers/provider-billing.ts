// Billing as every adapter answers it: hosted checkout sessions, subscriptions and their invoices.

/** A buyer's visit to a hosted payment page (Stripe Checkout, the sandbox's page). */
export interface CheckoutInput {
  mode: 'payment' | 'subscription';
  /** The platform's own id (`cs_…`), echoed back in events (`client_reference_id`) to find the session again. */
  reference: string;
  /** One-off items (mode `payment`), priced in minor units. */
  lineItems?: { name: string; amount: number; currency: string; quantity: number }[];
  /** The provider's price id of a plan (mode `subscription`). */
  price?: string;
  customerId?: string;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

/** A checkout session as the provider holds it. */
export interface ProviderCheckoutSession {
  providerId: string;
  /** Where to send the buyer. */
  url: string;
  status: 'open' | 'complete' | 'expired';
  /** Whether the money arrived (`paid`); a bank payment may complete `unpaid` and settle later. */
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  reference: string | null;
  amountTotal: number;
  currency: string;
  /** The payment it made (mode `payment`), as the provider names it. */
  paymentProviderId?: string;
  /** The subscription it started (mode `subscription`). */
  subscriptionProviderId?: string;
  customerId?: string;
  updatedAt: number;
}

/** Where a subscription stands, in Stripe's vocabulary. */
export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'paused',
] as const;

/** A subscription's status. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A subscription as the provider holds it. */
export interface ProviderSubscription {
  providerId: string;
  customerId: string;
  /** The provider's price id, which `PAYMENT_PLANS` maps back to a plan name. */
  price: string;
  status: SubscriptionStatus;
  /** End of the current period, in ms. */
  currentPeriodEnd: number;
  cancelAtPeriodEnd: boolean;
  /** For confirming the first payment with the provider's own UI, when it needs the buyer. */
  clientSecret?: string;
  updatedAt: number;
}

/** An invoice of a subscription as the provider holds it. */
export interface ProviderInvoice {
  providerId: string;
  subscriptionProviderId?: string;
  customerId: string;
  status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  amountDue: number;
  amountPaid: number;
  currency: string;
  /** How many times collection was attempted; a failed renewal counts up while dunning runs. */
  attemptCount: number;
  /** When the provider tries again, in ms, while it still does. */
  nextPaymentAttempt?: number;
  hostedInvoiceUrl?: string;
  /** The payment that paid it, when one did. */
  paymentProviderId?: string;
  periodStart: number;
  periodEnd: number;
  updatedAt: number;
}
