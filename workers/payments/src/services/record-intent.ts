import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import type { ProviderIntent } from '../providers/provider.js';
import { canMove } from './intent-states.js';
import { movementStatements } from './ledger.js';
import { abortUnlessChanged, isLostRace, type PaymentRow } from './payment-rows.js';

/**
 * The statements that move `row` to the provider's `intent`: one UPDATE guarded by `version` (a writer that read an
 * older version changes nothing), a guard that fails the whole batch if it lost its race, and, when more was
 * captured, the capture's ledger movement.
 */
export function intentStatements(
  db: Db,
  row: PaymentRow,
  intent: ProviderIntent,
): [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] {
  const captured = Math.max(row.amountCaptured, intent.amountCaptured);
  const update = db
    .update(paymentIntents)
    .set({
      status: intent.status,
      providerIntentId: intent.providerId,
      amountCaptured: captured,
      clientSecret: intent.clientSecret ?? row.clientSecret,
      approvalUrl: intent.status === 'requires_action' ? (intent.approvalUrl ?? row.approvalUrl) : null,
      lastError: intent.lastError ?? (intent.status === 'requires_payment_method' ? row.lastError : null),
      providerUpdatedAt: Math.max(row.providerUpdatedAt ?? 0, intent.updatedAt),
      version: sql`${paymentIntents.version} + 1`,
      updatedAt: new Date().toISOString(),
    })
    .where(and(eq(paymentIntents.id, row.id), eq(paymentIntents.version, row.version)))
    .returning();
  if (captured === row.amountCaptured) return [update, abortUnlessChanged(db, row.id)];
  return [
    update,
    abortUnlessChanged(db, row.id),
    ...movementStatements(db, {
      kind: 'capture',
      sourceKey: `capture:${row.id}:${captured}`,
      provider: row.provider,
      currency: row.currency,
      amount: captured - row.amountCaptured,
      paymentId: row.id,
    }),
  ];
}

/**
 * Records what the provider answered to an API action. A move the state machine forbids, or a lost race (another
 * request or an event moved the payment since it was read), is a 409 and changes nothing; the provider call itself
 * was made with an idempotency key, so the client's retry replays it and records it then.
 */
export async function recordIntent(db: Db, row: PaymentRow, intent: ProviderIntent): Promise<PaymentRow> {
  if (intent.status !== row.status && !canMove(row.status, intent.status)) {
    throw new AppError('CONFLICT', `Payment ${row.id} is ${row.status}; the provider reports ${intent.status}.`);
  }
  const lost = new AppError('CONFLICT', `Payment ${row.id} changed meanwhile; read it and retry.`);
  const [update, ...rest] = intentStatements(db, row, intent);
  let results: unknown[];
  try {
    results = await db.batch([update, ...rest]);
  } catch (err) {
    if (isLostRace(err)) throw lost;
    throw err;
  }
  const [after] = results[0] as PaymentRow[];
  if (!after) throw lost;
  return after;
}
