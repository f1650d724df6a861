import type { Db } from '../db/client.js';
import type { ProviderEvent } from '../providers/provider.js';
import type { ProviderSubscription } from '../providers/provider-billing.js';
import type { BillingStep } from './checkout-complete.js';
import { recordSubscription } from './subscription-record.js';

/**
 * `customer.subscription.created|updated|deleted`: the subscription's row follows the provider (never backwards), and
 * its user's plan is synced by the caller. Moving to `canceled` tells the user (one notice per subscription).
 */
export async function applySubscriptionEvent(
  env: PaymentsEnv,
  db: Db,
  event: ProviderEvent,
  sub: ProviderSubscription,
): Promise<BillingStep> {
  const recorded = await recordSubscription(env, db, event.provider, sub);
  if ('unknown' in recorded) return { changed: false, userIds: [], notices: [], note: recorded.unknown };
  const { row } = recorded;
  // The plan is synced even when nothing changed: a retry after a failed setPlan lands here.
  if (recorded.unchanged !== undefined)
    return { changed: false, userIds: [row.userId], notices: [], note: recorded.unchanged };
  const canceledNow = row.status === 'canceled' && recorded.before !== 'canceled';
  return {
    changed: true,
    userIds: [row.userId],
    notices: canceledNow
      ? [
          {
            to: row.userId,
            template: 'payments.subscription-canceled',
            data: { subscriptionId: row.id, plan: row.plan, endedAt: row.currentPeriodEnd },
            idempotencyKey: `subscription-canceled:${row.id}`,
          },
        ]
      : [],
  };
}
