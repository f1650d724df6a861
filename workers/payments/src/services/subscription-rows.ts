import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { subscriptions } from '../db/schema.js';
import type { SubscriptionStatus } from '../providers/provider-billing.js';
import { isManager } from './payment-rows.js';

/** A stored subscription. */
export type SubscriptionRow = typeof subscriptions.$inferSelect;

/** Statuses a subscription never leaves: a new subscription is a new object at the provider. */
export const ENDED_STATUSES: readonly SubscriptionStatus[] = ['canceled', 'incomplete_expired'];

/** A subscription as the API shows it; `clientSecret` only right after creating it, to its owner. */
export function toSubscriptionView(row: SubscriptionRow, clientSecret?: string) {
  return {
    id: row.id,
    plan: row.plan,
    status: row.status,
    provider: row.provider,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    graceUntil: row.graceUntil,
    ...(clientSecret ? { clientSecret } : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt ?? row.createdAt,
  };
}

/** The user's live subscription (at most one: a partial unique index), or undefined. */
export function liveSubscriptionOf(db: Db, userId: string): Promise<SubscriptionRow | undefined> {
  return db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), notInArray(subscriptions.status, [...ENDED_STATUSES])))
    .get();
}

/**
 * The subscription `GET /subscriptions/me` shows: the live one, else the newest ended one (so a canceled
 * subscription still says when it ended); a 404 when the user never subscribed. `userId` of another user only for
 * a caller with `payments:manage` (anyone else gets their own).
 */
export async function currentSubscription(db: Db, caller: Principal, userId?: string): Promise<SubscriptionRow> {
  const owner = userId !== undefined && isManager(caller) ? userId : caller.userId;
  const row =
    (await liveSubscriptionOf(db, owner)) ??
    (await db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.userId, owner))
      .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
      .get());
  if (!row) throw new AppError('NOT_FOUND', 'No subscription.');
  return row;
}
