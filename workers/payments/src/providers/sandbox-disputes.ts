import { receiveEvent } from '../services/receive-event.js';
import type { ProviderEvent } from './provider.js';
import type { ProviderDispute } from './provider-disputes.js';
import type { SandboxEnv } from './sandbox.js';

/**
 * THE SANDBOX's disputes: no bank, no money. A dispute is opened and closed by an admin's request (local only), and
 * reaches the platform as sandbox events through `receiveEvent`, applied as Stripe's `charge.dispute.*` events are.
 * As Stripe's `pm_card_createDispute`: the disputed amount and a 1500 minor-unit fee are withdrawn at once, and a won
 * dispute reinstates the amount (not the fee).
 */
export const SANDBOX_DISPUTE_FEE = 1500;

async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What opening a sandbox dispute needs: the sandbox payment, how much of it is disputed, and why. */
export interface SandboxDisputeInput {
  paymentProviderId: string;
  amount: number;
  currency: string;
  reason: string;
}

/** The sandbox's id of the one dispute a payment can have (as with a card charge). */
export const sandboxDisputeId = async (paymentProviderId: string) => `sbx_dp_${await digest(paymentProviderId)}`;

/**
 * Opens the dispute: `charge.dispute.created` with the funds withdrawn. The event id is derived from the payment, so
 * asking twice sends one event (the first request's amount and reason stand).
 */
export async function openSandboxDispute(env: SandboxEnv, input: SandboxDisputeInput): Promise<ProviderEvent> {
  const now = Date.now();
  const dispute: ProviderDispute = {
    providerId: await sandboxDisputeId(input.paymentProviderId),
    paymentProviderId: input.paymentProviderId,
    amount: input.amount,
    currency: input.currency,
    reason: input.reason,
    status: 'needs_response',
    fee: SANDBOX_DISPUTE_FEE,
    fundsWithdrawn: true,
    fundsReinstated: false,
    evidenceDueBy: now + 7 * 24 * 3600 * 1000,
    updatedAt: now,
  };
  const event: ProviderEvent = {
    id: `sbx_evt_${await digest(`${input.paymentProviderId}:dispute`)}`,
    provider: 'sandbox',
    type: 'charge.dispute.created',
    createdAt: now,
    dispute,
  };
  await receiveEvent(env, event);
  return event;
}

/**
 * Closes an open dispute `won` (the amount reinstated) or `lost`: `charge.dispute.closed`. The event id is derived
 * from the dispute, so closing twice sends one event and the first outcome stands.
 */
export async function closeSandboxDispute(
  env: SandboxEnv,
  open: Omit<ProviderDispute, 'status' | 'updatedAt' | 'fundsReinstated'>,
  outcome: 'won' | 'lost',
): Promise<ProviderEvent> {
  const now = Date.now();
  const event: ProviderEvent = {
    id: `sbx_evt_${await digest(`${open.providerId}:close`)}`,
    provider: 'sandbox',
    type: 'charge.dispute.closed',
    createdAt: now,
    dispute: { ...open, status: outcome, fundsWithdrawn: true, fundsReinstated: outcome === 'won', updatedAt: now },
  };
  await receiveEvent(env, event);
  return event;
}
