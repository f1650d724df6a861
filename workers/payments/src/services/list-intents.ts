import type { Principal } from '@onasis/contracts';
import { afterCreatedAt } from '@onasis/http';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import type { IntentStatus, ProviderName } from '../providers/provider.js';
import { isManager, type PaymentRow } from './payment-rows.js';

/** Filters of the payment list; `userId` only counts for a caller with `payments:manage`. */
export interface IntentFilter {
  status?: IntentStatus;
  provider?: ProviderName;
  userId?: string;
  after?: { createdAt: string; id: string };
  limit: number;
}

/** One page (plus one row, to tell whether another exists) of payments, newest first: the caller's own, or anyone's. */
export function listIntents(db: Db, caller: Principal, filter: IntentFilter): Promise<PaymentRow[]> {
  const owner = isManager(caller) ? filter.userId : caller.userId;
  return db
    .select()
    .from(paymentIntents)
    .where(
      and(
        owner === undefined ? undefined : eq(paymentIntents.userId, owner),
        filter.status === undefined ? undefined : eq(paymentIntents.status, filter.status),
        filter.provider === undefined ? undefined : eq(paymentIntents.provider, filter.provider),
        afterCreatedAt(paymentIntents, filter.after, 'desc'),
      ),
    )
    .orderBy(desc(paymentIntents.createdAt), desc(paymentIntents.id))
    .limit(filter.limit + 1);
}
