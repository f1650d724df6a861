import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { disputes } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { ProviderDispute } from '../providers/provider-disputes.js';
import { disputeMovements, movementsStatements, unrecorded, upsertDispute } from './dispute-movements.js';
import { type DisputeRow, disputeIdOf, FINAL_DISPUTE_STATUSES } from './dispute-rows.js';
import { claimEvent, type EventOutcome, markEvent, settledElsewhere } from './event-marks.js';
import { isDuplicateMovement } from './ledger.js';
import { notify } from './notify.js';
import { disputeOpenedNotices } from './payment-notices.js';
import { abortUnlessChanged, isLostRace, paymentByProviderId } from './payment-rows.js';

/** Why an event changes nothing about a recorded dispute, or null when it does. */
function staleness(row: DisputeRow | undefined, dispute: ProviderDispute, newMovements: number): string | null {
  if (!row) return null;
  if (row.providerUpdatedAt !== null && dispute.updatedAt < row.providerUpdatedAt)
    return 'older than the recorded state';
  if (FINAL_DISPUTE_STATUSES.includes(row.status) && dispute.status !== row.status)
    return `a ${row.status} dispute stays ${row.status}`;
  const same = row.status === dispute.status && row.amount === dispute.amount && row.fee >= dispute.fee;
  return same && newMovements === 0 ? 'the recorded state already' : null;
}

/**
 * Applies a dispute's event once: the dispute upserted by `(provider, providerDisputeId)` and the movements its funds
 * imply (`dispute-movements.ts`), in one batch with the event's claim. Delivery is at least once and in any order:
 * - a dispute of a payment not recorded (yet) throws, so the queue retries it and the DLQ marks it `failed`;
 * - an older state than the recorded one, a final dispute (won, lost) told of another status, or news of nothing
 *   is recorded `ignored`; a movement already in the ledger is never written again;
 * - parallel deliveries race on the claim (a guard fails every batch but the first) and on the ledger's unique
 *   source keys (the dispute's id is derived from the provider's, so racing events name the same keys); a batch that
 *   lost throws unless its event was settled meanwhile, and the retry judges the event against the new state.
 * `charge.dispute.created` alerts `PAYMENTS_ALERTS_TO` (`payments.dispute-opened`) before the batch: a retried event
 * sends the same idempotency keys, which the notifications Worker drops as duplicates.
 */
export async function applyDisputeEvent(
  env: PaymentsEnv,
  eventId: string,
  event: ProviderEvent,
): Promise<EventOutcome> {
  const db = dbOf(env.DB);
  const dispute = event.dispute;
  if (!dispute) {
    await markEvent(db, eventId, 'ignored', 'no dispute in the event');
    return 'ignored';
  }
  const payment = await paymentByProviderId(db, event.provider, dispute.paymentProviderId);
  if (!payment) throw new Error(`no payment recorded for ${event.provider} ${dispute.paymentProviderId}`);
  const id = await disputeIdOf(event.provider, dispute.providerId);
  const row = await db.select().from(disputes).where(eq(disputes.id, id)).get();
  const movements = await unrecorded(db, disputeMovements(id, event.provider, payment, dispute));
  const stale = staleness(row, dispute, movements.length);
  if (stale !== null) {
    await markEvent(db, eventId, 'ignored', stale);
    return 'ignored';
  }
  if (event.type === 'charge.dispute.created') {
    await notify(
      env,
      disputeOpenedNotices(env.PAYMENTS_ALERTS_TO, dispute, { disputeId: id, paymentId: payment.id }, eventId),
    );
  }
  try {
    await db.batch([
      claimEvent(db, eventId),
      abortUnlessChanged(db, payment.id),
      upsertDispute(db, id, event.provider, payment, dispute),
      abortUnlessChanged(db, payment.id),
      ...movementsStatements(db, movements),
    ]);
  } catch (err) {
    if (!isLostRace(err) && !isDuplicateMovement(err)) throw err;
    return settledElsewhere(db, eventId, `dispute ${id}`);
  }
  return 'applied';
}
