import { newId } from '@onasis/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { subscriptions } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';
import type { ProviderSubscription } from '../providers/provider-billing.js';
import { userOfCustomer } from './customers.js';
import { planOfPrice } from './plans.js';
import { publishAfterWrite, subscriptionEvents } from './platform-events.js';
import { graceUntil } from './subscription-plan.js';
import { ENDED_STATUSES, type SubscriptionRow } from './subscription-rows.js';

/** What recording a provider's subscription did: the row as it stands, and why nothing changed when nothing did. */
export interface SubscriptionOutcome {
  row: SubscriptionRow;
  /** The status before, when the row changed (null for a new row). */
  before?: SubscriptionRow['status'] | null;
  unchanged?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why `sub` changes nothing on `row`, or null when it moves it. */
function staleness(row: SubscriptionRow, sub: ProviderSubscription): string | null {
  // An end is final at the provider, so no state can follow it: it wins even against a time in the same second
  // (Stripe's event times are whole seconds, a direct answer's are milliseconds).
  const ends = ENDED_STATUSES.includes(sub.status);
  if (row.providerUpdatedAt !== null && sub.updatedAt < row.providerUpdatedAt && !ends)
    return 'older than the recorded state';
  if (ENDED_STATUSES.includes(row.status) && sub.status !== row.status) return `${row.status} is final`;
  const same =
    sub.status === row.status &&
    iso(sub.currentPeriodEnd) === row.currentPeriodEnd &&
    sub.cancelAtPeriodEnd === row.cancelAtPeriodEnd;
  return same ? 'the recorded state already' : null;
}

/** The fields a provider's subscription sets, with the grace period started on entering `past_due`. */
function fieldsOf(env: Pick<PaymentsEnv, 'DUNNING_GRACE_DAYS'>, sub: ProviderSubscription, row?: SubscriptionRow) {
  const grace =
    sub.status !== 'past_due' ? null : row?.status === 'past_due' ? row.graceUntil : graceUntil(env, new Date());
  return {
    status: sub.status,
    providerSubscriptionId: sub.providerId,
    currentPeriodEnd: iso(sub.currentPeriodEnd),
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    graceUntil: grace,
    providerUpdatedAt: Math.max(row?.providerUpdatedAt ?? 0, sub.updatedAt),
  };
}

/**
 * Records the provider's state of a subscription: the row found by `rowId` (a create still recording its provider
 * id) or by the provider's id, or a new row for the customer's user (a subscription started on the provider's own
 * page). Never backwards: an older `updatedAt` than the recorded one, or anything after `canceled`, changes nothing.
 *
 * Races and retries: the update is guarded by `version`, a new row by the unique provider id and the one-live-per-user
 * index; a writer that loses throws, so the event is retried and judged against the state that won. Applying the
 * same state again changes nothing. A move that starts or cancels a paid subscription is published to analytics once
 * written (`subscription.started|canceled:<sub_id>`); a failed send is logged and that event lost, since the retry
 * would find the state recorded already.
 */
export async function recordSubscription(
  env: Pick<PaymentsEnv, 'DUNNING_GRACE_DAYS' | 'PAYMENT_PLANS' | 'PLATFORM_EVENTS'>,
  db: Db,
  provider: ProviderName,
  sub: ProviderSubscription,
  hint: { rowId?: string; userId?: string; plan?: string | null } = {},
): Promise<SubscriptionOutcome | { unknown: string }> {
  const byProviderId = and(
    eq(subscriptions.provider, provider),
    eq(subscriptions.providerSubscriptionId, sub.providerId),
  );
  let row = await db
    .select()
    .from(subscriptions)
    .where(hint.rowId ? eq(subscriptions.id, hint.rowId) : byProviderId)
    .get();
  if (!row) {
    const userId = hint.userId ?? (await userOfCustomer(db, sub.customerId));
    if (userId === undefined) throw new Error(`no customer recorded for ${provider} ${sub.customerId}`);
    const plan = planOfPrice(env, provider, sub.price)?.id ?? hint.plan;
    if (!plan) return { unknown: `price ${sub.price} is no plan of PAYMENT_PLANS` };
    const [inserted] = await db
      .insert(subscriptions)
      .values({ id: newId('sub'), userId, provider, plan, ...fieldsOf(env, sub) })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await publishAfterWrite(env, subscriptionEvents(env, inserted, null));
      return { row: inserted, before: null };
    }
    row = await db.select().from(subscriptions).where(byProviderId).get();
    // Another live subscription of the user holds the index: this one waits (retried) until that one has ended.
    if (!row) throw new Error(`user ${userId} has another live subscription than ${provider} ${sub.providerId}`);
  }
  const stale = staleness(row, sub);
  if (stale !== null) return { row, unchanged: stale };
  const [after] = await db
    .update(subscriptions)
    .set({
      ...fieldsOf(env, sub, row),
      version: sql`${subscriptions.version} + 1`,
      updatedAt: new Date().toISOString(),
    })
    .where(and(eq(subscriptions.id, row.id), eq(subscriptions.version, row.version)))
    .returning();
  if (!after) throw new Error(`subscription ${row.id} changed meanwhile; retrying`);
  await publishAfterWrite(env, subscriptionEvents(env, after, row.status));
  return { row: after, before: row.status };
}
