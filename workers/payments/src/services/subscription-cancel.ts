import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { dbOf } from '../db/client.js';
import { providerFor } from '../providers/index.js';
import { requireBilling } from './customers.js';
import { providerFailure } from './provider-errors.js';
import { recordSubscription } from './subscription-record.js';
import { liveSubscriptionOf, type SubscriptionRow } from './subscription-rows.js';

/**
 * Cancels the caller's live subscription at the end of its period: the plan is kept until then, when the provider's
 * `customer.subscription.deleted` (the sandbox's own delayed event) ends it and the user falls back to `free`.
 * No live subscription is a 404.
 *
 * Retries: a subscription already set to cancel is answered as it is; the provider call carries the idempotency key
 * `<sub_id>:cancel`, and recording its answer twice changes nothing the second time.
 */
export async function cancelSubscription(env: PaymentsEnv, caller: Principal): Promise<SubscriptionRow> {
  const db = dbOf(env.DB);
  const live = await liveSubscriptionOf(db, caller.userId);
  if (!live || live.providerSubscriptionId === null) throw new AppError('NOT_FOUND', 'No live subscription.');
  if (live.cancelAtPeriodEnd) return live;
  const provider = providerFor(env, live.provider);
  if (!provider) throw new AppError('SERVICE_UNAVAILABLE', `The ${live.provider} provider is not configured here.`);
  const result = await requireBilling(provider, 'cancelSubscription')(live.providerSubscriptionId, `${live.id}:cancel`);
  if (!result.ok) throw providerFailure(result);
  // A direct answer is the newest state there is; an event already applied may carry a time up to a second ahead
  // (Stripe's events stand for the end of their second), which must not make this answer look older.
  const newest = Math.max(result.value.updatedAt, (live.providerUpdatedAt ?? 0) + 1);
  const recorded = await recordSubscription(env, db, live.provider, { ...result.value, updatedAt: newest });
  if ('unknown' in recorded) throw new Error(recorded.unknown);
  return recorded.row;
}
