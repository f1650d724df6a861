import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import { sandboxAllowed } from '../providers/index.js';
import type { SandboxEnv } from '../providers/sandbox.js';
import { closeSandboxDispute, openSandboxDispute, sandboxDisputeId } from '../providers/sandbox-disputes.js';
import { disputeIdOf, FINAL_DISPUTE_STATUSES, findDispute } from './dispute-rows.js';
import { findPayment } from './payment-rows.js';

/**
 * SANDBOX: opens a dispute on a succeeded sandbox payment (any user's: the caller has `payments:manage`). The dispute
 * arrives as a sandbox event, applied asynchronously like a webhook; the answer names the dispute it will become.
 * Retried, it sends the same event (derived from the payment), so a payment is disputed once.
 */
export async function openDispute(
  env: SandboxEnv,
  caller: Principal,
  input: { paymentId: string; amount?: number; reason: string },
): Promise<{ disputeId: string; eventId: string }> {
  const payment = await findPayment(dbOf(env.DB), input.paymentId, caller);
  if (payment.provider !== 'sandbox' || payment.providerIntentId === null || !sandboxAllowed(env))
    throw new AppError('NOT_FOUND', `No sandbox payment ${input.paymentId}.`);
  if (payment.status !== 'succeeded')
    throw new AppError('CONFLICT', `Payment ${payment.id} is ${payment.status}; only a succeeded one can be disputed.`);
  const amount = input.amount ?? payment.amountCaptured;
  if (amount > payment.amountCaptured)
    throw new AppError('VALIDATION_FAILED', `A dispute cannot exceed the ${payment.amountCaptured} captured.`);
  const event = await openSandboxDispute(env, {
    paymentProviderId: payment.providerIntentId,
    amount,
    currency: payment.currency,
    reason: input.reason,
  });
  const disputeId = await disputeIdOf('sandbox', await sandboxDisputeId(payment.providerIntentId));
  return { disputeId, eventId: event.id };
}

/** SANDBOX: closes an open sandbox dispute `won` or `lost`, through a sandbox event; a closed one is a 409. */
export async function closeDispute(
  env: SandboxEnv,
  id: string,
  outcome: 'won' | 'lost',
): Promise<{ disputeId: string; eventId: string }> {
  const db = dbOf(env.DB);
  const row = await findDispute(db, id);
  if (row.provider !== 'sandbox' || !sandboxAllowed(env)) throw new AppError('NOT_FOUND', `No sandbox dispute ${id}.`);
  if (FINAL_DISPUTE_STATUSES.includes(row.status)) throw new AppError('CONFLICT', `Dispute ${id} is ${row.status}.`);
  const payment = await db.select().from(paymentIntents).where(eq(paymentIntents.id, row.paymentId)).get();
  if (!payment?.providerIntentId) throw new AppError('NOT_FOUND', `No sandbox dispute ${id}.`);
  const event = await closeSandboxDispute(
    env,
    {
      providerId: row.providerDisputeId,
      paymentProviderId: payment.providerIntentId,
      amount: row.amount,
      currency: row.currency,
      reason: row.reason,
      fee: row.fee,
      fundsWithdrawn: true,
    },
    outcome,
  );
  return { disputeId: id, eventId: event.id };
}
