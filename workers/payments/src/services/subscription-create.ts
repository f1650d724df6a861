import { newId, type Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, isNull } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { subscriptions } from '../db/schema.js';
import { providerForCreate } from './create-intent.js';
import { customerIdFor, requireBilling } from './customers.js';
import { planNamed } from './plans.js';
import { derivedId, providerFailure } from './provider-errors.js';
import { syncUserPlan } from './subscription-plan.js';
import { recordSubscription } from './subscription-record.js';
import { liveSubscriptionOf, type SubscriptionRow } from './subscription-rows.js';

const isOneLiveViolation = (err: unknown) =>
  /UNIQUE constraint failed: subscriptions\.user_id/.test(
    `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`,
  );

/**
 * Subscribes the caller to a plan: our row first (`incomplete`, which already holds the one-live-per-user index, so a
 * second live subscription is a 409 however many requests race), then the provider's subscription with the
 * idempotency key `<sub_id>:create` (the sandbox: active at once, its first invoice paid; Stripe: `incomplete` until
 * the first invoice is paid with `clientSecret`), then its state recorded and the user's plan set.
 *
 * Retries: with an `Idempotency-Key` the id is derived from it, so a retry finds the same row and the provider
 * answers the subscription it made the first time. A provider that refuses or is down made nothing: the row is
 * deleted. A crash after the provider call leaves an `incomplete` row without a provider id; the retry finishes it,
 * and without a retry the provider's `customer.subscription.*` events cannot attach to it (they wait, then fail to the
 * DLQ for reconciliation).
 */
export async function createSubscription(
  env: PaymentsEnv,
  caller: Principal,
  planId: string,
  idempotencyKey?: string,
): Promise<{ row: SubscriptionRow; created: boolean; clientSecret?: string }> {
  const db = dbOf(env.DB);
  const plan = planNamed(env, planId);
  if (!plan) {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'plan', message: `No plan ${planId}.` }],
    });
  }
  const provider = providerForCreate(env, undefined);
  const create = requireBilling(provider, 'createSubscription');
  const price = plan.prices[provider.name];
  if (!price) {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'plan', message: `Plan ${plan.id} is not sold through ${provider.name}.` }],
    });
  }
  const id = (await derivedId('sub', `create:${caller.userId}`, idempotencyKey)) ?? newId('sub');
  const existing = await db.select().from(subscriptions).where(eq(subscriptions.id, id)).get();
  if (existing && existing.userId !== caller.userId) {
    throw new AppError('CONFLICT', 'This Idempotency-Key made a subscription that is not yours.');
  }
  if (existing?.providerSubscriptionId) return { row: existing, created: false };
  if (!existing) {
    try {
      await db
        .insert(subscriptions)
        .values({ id, userId: caller.userId, provider: provider.name, plan: plan.id, status: 'incomplete' });
    } catch (err) {
      if (!isOneLiveViolation(err)) throw err;
      const live = await liveSubscriptionOf(db, caller.userId);
      if (live?.id !== id) throw new AppError('CONFLICT', 'You already have a subscription; cancel it first.');
    }
  }
  const customerId = await customerIdFor(db, provider, caller.userId);
  const result = await create({ customerId, price, reference: id }, `${id}:create`);
  if (!result.ok) {
    await db.delete(subscriptions).where(and(eq(subscriptions.id, id), isNull(subscriptions.providerSubscriptionId)));
    throw providerFailure(result);
  }
  const recorded = await recordSubscription(env, db, provider.name, result.value, { rowId: id });
  if ('unknown' in recorded) throw new Error(recorded.unknown);
  await syncUserPlan(env, db, caller.userId);
  const { clientSecret } = result.value;
  return { row: recorded.row, created: true, ...(clientSecret ? { clientSecret } : {}) };
}
