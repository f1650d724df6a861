import type { Db } from '../db/client.js';
import { setUserPlan } from './billing-identity.js';
import { FREE_PLAN } from './plans.js';
import { liveSubscriptionOf, type SubscriptionRow } from './subscription-rows.js';

/**
 * The plan a user is on, given their live subscription (if any) at `now`: active or trialing → its plan; past due →
 * its plan while the grace period runs (dunning), `free` after it; anything else (incomplete, unpaid, paused, no
 * live subscription, canceled) → `free`.
 */
export function planOf(live: SubscriptionRow | undefined, now: Date): string {
  if (!live) return FREE_PLAN;
  if (live.status === 'active' || live.status === 'trialing') return live.plan;
  if (live.status === 'past_due' && live.graceUntil !== null && live.graceUntil > now.toISOString()) return live.plan;
  return FREE_PLAN;
}

/** When a subscription entering `past_due` now stops keeping its plan. */
export function graceUntil(env: Pick<PaymentsEnv, 'DUNNING_GRACE_DAYS'>, now: Date): string {
  const days = Math.max(0, Number(env.DUNNING_GRACE_DAYS) || 0);
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

/**
 * Sets the user's plan in identity from their subscriptions as they stand. Always derived from the stored rows, never
 * from the event at hand, so an old event applied late cannot grant or take away a plan; and repeated after a change
 * made meanwhile (read again until nothing moved), so two writers racing end on the plan of the last state. A failed
 * call throws (the caller's event is retried; setPlan is idempotent).
 */
export async function syncUserPlan(
  env: Pick<PaymentsEnv, 'IDENTITY'>,
  db: Db,
  userId: string,
  now = new Date(),
): Promise<string> {
  let live = await liveSubscriptionOf(db, userId);
  for (let round = 0; round < 3; round++) {
    const plan = planOf(live, now);
    await setUserPlan(env, userId, plan);
    const again = await liveSubscriptionOf(db, userId);
    if (again?.id === live?.id && again?.version === live?.version) return plan;
    live = again;
  }
  throw new Error(`the subscriptions of ${userId} kept changing while the plan was set; retrying`);
}
