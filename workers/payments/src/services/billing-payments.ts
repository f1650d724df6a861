import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';
import { isDuplicateMovement, movementStatements } from './ledger.js';
import { paymentByProviderId } from './payment-rows.js';
import { derivedId } from './provider-errors.js';

/** A payment the provider made and took on its own page or for an invoice, already paid. */
export interface PaidPayment {
  provider: ProviderName;
  providerPaymentId: string;
  userId: string;
  amount: number;
  currency: string;
  description: string;
}

/**
 * Records a payment that a checkout or an invoice collected (the platform did not create it, so no row exists yet):
 * `succeeded`, with its capture in the ledger, in one batch. Its id is derived from the provider's id, so a retry or
 * a racing event makes the same row and the same ledger `source_key`: the second batch fails whole on the unique
 * index and the first one stands. A payment already recorded (by its provider id) is answered as it is; its own
 * `payment_intent.*` events then find it and change nothing that is not newer.
 */
export async function recordPaidPayment(db: Db, paid: PaidPayment): Promise<string> {
  const existing = await paymentByProviderId(db, paid.provider, paid.providerPaymentId);
  if (existing) return existing.id;
  const id = (await derivedId('pay', `billing:${paid.provider}`, paid.providerPaymentId)) ?? paid.providerPaymentId;
  try {
    await db.batch([
      db.insert(paymentIntents).values({
        id,
        userId: paid.userId,
        provider: paid.provider,
        providerIntentId: paid.providerPaymentId,
        status: 'succeeded',
        amount: paid.amount,
        currency: paid.currency,
        description: paid.description,
        metadata: {},
        captureMethod: 'automatic',
        amountCaptured: paid.amount,
        providerUpdatedAt: Date.now(),
        updatedAt: new Date().toISOString(),
      }),
      ...movementStatements(db, {
        kind: 'capture',
        sourceKey: `capture:${id}:${paid.amount}`,
        provider: paid.provider,
        currency: paid.currency,
        amount: paid.amount,
        paymentId: id,
      }),
    ]);
  } catch (err) {
    const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
    if (!isDuplicateMovement(err) && !/UNIQUE constraint failed: payment_intents/.test(text)) throw err;
  }
  return id;
}
