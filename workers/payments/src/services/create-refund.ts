import type { Principal } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { paymentIntents, refunds } from '../db/schema.js';
import type { PaymentProvider } from '../providers/provider.js';
import { actionAllowed } from './intent-states.js';
import { notify } from './notify.js';
import { refundNotices } from './payment-notices.js';
import { abortUnlessChanged, conflict, findPayment, isLostRace, isRefundBeyondCaptured } from './payment-rows.js';
import { publishPlatformEvents, refundEvents } from './platform-events.js';
import { derivedId, providerFailure } from './provider-errors.js';
import type { RefundRow } from './refund-rows.js';
import { settleRefund } from './settle-refund.js';

/**
 * Refunds `amount` (all that is left when absent) of a succeeded payment, in three steps:
 * 1. reserve: one batch raises the payment's `amount_refunded` and inserts the refund `pending`; the schema's CHECK
 *    refuses a total beyond what was captured and fails the whole batch, so racing refunds never pass it (409);
 * 2. the provider refunds, with the key `<re_id>:create`;
 * 3. `settleRefund`: one batch marks the refund `succeeded` and writes its `refund` ledger movement; or, if the
 *    provider refused or failed, marks it `failed` and releases the reservation (402 / 502); a provider's `pending`
 *    waits for its refund event.
 * Retries: with the client's `Idempotency-Key` the refund id is derived from it, so a retry after a lost answer finds
 * the same refund and, while it is still `pending` (a crash after step 1 or 2), runs steps 2 and 3 again with the same
 * provider key: one provider refund. Step 3 is guarded on `pending`, so it lands once.
 */
export async function createRefund(
  env: Pick<PaymentsEnv, 'DB' | 'NOTIFICATIONS_QUEUE' | 'PLATFORM_EVENTS'>,
  provider: PaymentProvider | null,
  caller: Principal,
  input: { paymentId: string; amount?: number; reason?: string },
  idempotencyKey?: string,
): Promise<RefundRow> {
  const db = dbOf(env.DB);
  const payment = await findPayment(db, input.paymentId, caller);
  // Checked before anything is reserved: a reservation no provider can honour would only have to be released.
  if (!provider) throw new AppError('SERVICE_UNAVAILABLE', `The ${payment.provider} provider is not configured here.`);
  const id = (await derivedId('re', `refund:${caller.userId}:${payment.id}`, idempotencyKey)) ?? newId('re');
  let refund = await db.select().from(refunds).where(eq(refunds.id, id)).get();
  if (refund && refund.status !== 'pending') return refund;
  if (!refund) {
    if (!actionAllowed('refund', payment.status)) throw conflict(payment, 'only a succeeded payment can be refunded');
    const amount = input.amount ?? payment.amountCaptured - payment.amountRefunded;
    if (amount <= 0) throw new AppError('CONFLICT', `Payment ${payment.id} is already fully refunded.`);
    try {
      const [, , inserted] = await db.batch([
        db
          .update(paymentIntents)
          .set({
            amountRefunded: sql`${paymentIntents.amountRefunded} + ${amount}`,
            version: sql`${paymentIntents.version} + 1`,
          })
          .where(and(eq(paymentIntents.id, payment.id), eq(paymentIntents.status, 'succeeded'))),
        abortUnlessChanged(db, payment.id),
        db
          .insert(refunds)
          .values({
            id,
            paymentId: payment.id,
            userId: payment.userId,
            amount,
            currency: payment.currency,
            reason: input.reason ?? null,
            status: 'pending',
          })
          .returning(),
      ]);
      refund = inserted[0];
    } catch (err) {
      if (isRefundBeyondCaptured(err)) {
        throw new AppError(
          'CONFLICT',
          `Refunding ${amount} would pass the ${payment.amountCaptured} captured on ${payment.id}.`,
        );
      }
      if (isLostRace(err)) throw conflict(payment, 'only a succeeded payment can be refunded');
      throw err;
    }
    if (!refund) throw new Error('refund not inserted');
  }
  if (payment.providerIntentId === null) throw new Error(`succeeded payment ${payment.id} has no provider id`);
  const result = await provider.createRefund(
    payment.providerIntentId,
    refund.amount,
    refund.reason ?? undefined,
    `${refund.id}:create`,
  );
  if (!result.ok) {
    const failureReason = result.kind === 'declined' ? result.error.message : result.message;
    await settleRefund(db, payment.provider, refund, { status: 'failed', failureReason });
    throw providerFailure(result);
  }
  const { status, providerId } = result.value;
  // Told before it is recorded: a crash between the two loses no notice or event (the retry sends the same key and
  // id, dropped as duplicates), where the other order would leave a recorded refund nobody was told of.
  await notify(env, refundNotices({ ...refund, status }));
  await publishPlatformEvents(env, refundEvents({ ...refund, status }));
  return (await settleRefund(db, payment.provider, refund, { status, providerRefundId: providerId })).row;
}
