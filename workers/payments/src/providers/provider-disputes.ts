// Disputes (chargebacks) as every adapter answers them.

/** Where a dispute stands, in Stripe's vocabulary. */
export const DISPUTE_STATUSES = [
  'warning_needs_response',
  'warning_under_review',
  'warning_closed',
  'needs_response',
  'under_review',
  'won',
  'lost',
] as const;

/** A dispute's status. */
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** A chargeback (or an inquiry before one) as the provider holds it. */
export interface ProviderDispute {
  providerId: string;
  paymentProviderId: string;
  amount: number;
  currency: string;
  reason: string;
  status: DisputeStatus;
  /** The provider's fee for the dispute, in minor units of `currency` (Stripe: 1500 for usd). */
  fee: number;
  /** Whether the disputed amount (and the fee) is withdrawn from the balance now, and whether it came back. */
  fundsWithdrawn: boolean;
  fundsReinstated: boolean;
  /** When the evidence is due, in ms. */
  evidenceDueBy?: number;
  updatedAt: number;
}
