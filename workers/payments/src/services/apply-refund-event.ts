import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { refunds } from '../db/schema.js';
import type { ProviderEvent, ProviderName } from '../providers/provider.js';
import { claimEvent, type EventOutcome, markEvent } from './event-marks.js';
import { notify } from './notify.js';
import { refundNotices } from './payment-notices.js';
import { abortUnlessChanged } from './payment-rows.js';
import { publishPlatformEvents, refundEvents } from './platform-events.js';
import { settleRefund } from './settle-refund.js';

/**
 * A provider's word on a refund (Stripe's `refund.updated`, `charge.refund.updated`): a `pending` refund of ours
 * becomes `succeeded` (with its ledger movement) or `failed`/`canceled` (its reservation released), in one batch with
 * the event's claim. A refund not recorded yet (its provider id is written when the provider answers) throws, so
 * the queue retries; one already settled, or a still-pending word, is `ignored`.
 */
export async function applyRefundEvent(
  env: Pick<PaymentsEnv, 'DB' | 'NOTIFICATIONS_QUEUE' | 'PLATFORM_EVENTS'>,
  eventId: string,
  provider: ProviderName,
  refund: NonNullable<ProviderEvent['refund']>,
): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  const row = await db.select().from(refunds).where(eq(refunds.providerRefundId, refund.providerId)).get();
  if (!row) throw new Error(`no refund recorded for ${provider} ${refund.providerId}`);
  if (row.status !== 'pending' || refund.status === 'pending') {
    await markEvent(
      db,
      eventId,
      'ignored',
      row.status !== 'pending' ? `refund already ${row.status}` : 'still pending',
    );
    return 'ignored';
  }
  // Told before the batch, for the reason create-refund.ts gives; keyed by the refund, so once whichever path lands.
  await notify(env, refundNotices({ ...row, status: refund.status }));
  await publishPlatformEvents(env, refundEvents({ ...row, status: refund.status }));
  const { moved } = await settleRefund(
    db,
    provider,
    row,
    { status: refund.status, failureReason: 'refused by the provider' },
    [claimEvent(db, eventId), abortUnlessChanged(db, row.paymentId)],
  );
  return moved ? 'applied' : 'already-settled';
}
