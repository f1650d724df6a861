import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { customers } from '../db/schema.js';
import type { PaymentProvider } from '../providers/provider.js';
import { providerFailure } from './provider-errors.js';

/** A stored customer. */
export type CustomerRow = typeof customers.$inferSelect;

/** Whether `provider` implements the billing method `method` (PayPal, for one, takes no subscriptions). */
export function requireBilling<K extends keyof PaymentProvider>(
  provider: PaymentProvider,
  method: K,
): NonNullable<PaymentProvider[K]> {
  const fn = provider[method];
  if (typeof fn !== 'function') {
    throw new AppError('VALIDATION_FAILED', `The ${provider.name} provider does not support this.`, {
      errors: [{ path: 'provider', message: `${provider.name} has no ${String(method)}` }],
    });
  }
  return fn.bind(provider) as NonNullable<PaymentProvider[K]>;
}

/**
 * The user's customer id at the provider, created on first use.
 *
 * Concurrency and retries: the row is inserted first (`(user_id, provider)` is unique; a second insert does nothing
 * and both callers read the same row), then the provider is called with the idempotency key
 * `cus:<provider>:<userId>`, so racing or
 * retried first calls get one provider customer back; the id is written only where none is recorded yet, and every
 * caller answers what the row finally holds. A crash after the provider call leaves the row without an id; the next
 * call repeats the (idempotent) create and records it.
 */
export async function customerIdFor(db: Db, provider: PaymentProvider, userId: string): Promise<string> {
  const mine = and(eq(customers.userId, userId), eq(customers.provider, provider.name));
  const existing = await db.select().from(customers).where(mine).get();
  if (existing?.providerCustomerId) return existing.providerCustomerId;
  if (!existing)
    await db
      .insert(customers)
      .values({ id: newId('cus'), userId, provider: provider.name })
      .onConflictDoNothing();
  const result = await requireBilling(provider, 'createCustomer')({ userId }, `cus:${provider.name}:${userId}`);
  if (!result.ok) throw providerFailure(result);
  await db
    .update(customers)
    .set({ providerCustomerId: result.value.customerId })
    .where(and(mine, isNull(customers.providerCustomerId)));
  const row = await db.select().from(customers).where(mine).get();
  if (!row?.providerCustomerId) throw new Error(`customer of ${userId} was not recorded`);
  return row.providerCustomerId;
}

/** The platform user behind a provider's customer id, or undefined for a customer the platform never made. */
export async function userOfCustomer(db: Db, providerCustomerId: string): Promise<string | undefined> {
  const row = await db
    .select({ userId: customers.userId })
    .from(customers)
    .where(eq(customers.providerCustomerId, providerCustomerId))
    .get();
  return row?.userId;
}
