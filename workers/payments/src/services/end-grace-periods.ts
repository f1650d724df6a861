import { and, eq, lte } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { subscriptions } from '../db/schema.js';
import { FREE_PLAN } from './plans.js';
import { syncUserPlan } from './subscription-plan.js';

/**
 * Ends the grace period of past-due subscriptions whose `grace_until` has passed: their users fall back to `free`.
 * Run by the `payments.maintenance` job.
 *
 * The subscription itself stays `past_due` (the provider owns its status and may still collect: a later
 * `invoice.paid` makes it active again and restores the plan). Repeating a run sets `free` again, which identity
 * treats as no change; a run that dies midway is finished by the next.
 */
export async function endGracePeriods(env: PaymentsEnv, now: Date): Promise<{ downgraded: number }> {
  const db = dbOf(env.DB);
  const lapsed = await db
    .select({ userId: subscriptions.userId })
    .from(subscriptions)
    .where(and(eq(subscriptions.status, 'past_due'), lte(subscriptions.graceUntil, now.toISOString())))
    .limit(500);
  let downgraded = 0;
  for (const { userId } of lapsed) {
    // Synced from the rows, not forced to free: a subscription paid meanwhile keeps its plan.
    if ((await syncUserPlan(env, db, userId, now)) === FREE_PLAN) downgraded++;
  }
  return { downgraded };
}
