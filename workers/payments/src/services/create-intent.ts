import { newId, type Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import { defaultProviderName, type ProvidersEnv, providerFor } from '../providers/index.js';
import type { PaymentProvider, ProviderName } from '../providers/provider.js';
import type { PaymentRow } from './payment-rows.js';
import { derivedId, providerFailure } from './provider-errors.js';
import { recordIntent } from './record-intent.js';

/** A validated `POST /intents` body. */
export interface CreateIntentRequest {
  amount: number;
  currency: string;
  description?: string;
  metadata?: Record<string, string>;
  captureMethod: 'automatic' | 'manual';
  provider?: ProviderName;
}

/**
 * Creates a payment: our row first (`requires_payment_method`, no provider id), then the provider's object with the
 * idempotency key `<pay_id>:create`, then its id recorded on the row.
 *
 * Retries: with the client's `Idempotency-Key` the payment id is derived from it (per user), so a retry after a lost
 * answer (the gateway replays a recorded answer, but a crash leaves none) finds the same row and calls the provider
 * with the same key, which answers the object it made the first time: one provider object however often it runs.
 * A crash between the insert and the provider call leaves a row with no provider id, finished by that retry; one
 * after the provider call leaves the provider's object unrecorded until then too. Without a key every call is a new
 * payment. A provider that refuses or is down (400/402/502) made nothing, so the unfinished row is deleted.
 */
export async function createIntent(
  db: Db,
  provider: PaymentProvider,
  caller: Principal,
  input: CreateIntentRequest,
  idempotencyKey?: string,
): Promise<{ row: PaymentRow; created: boolean }> {
  const id = (await derivedId('pay', `create:${caller.userId}`, idempotencyKey)) ?? newId('pay');
  const [inserted] = await db
    .insert(paymentIntents)
    .values({
      id,
      userId: caller.userId,
      provider: provider.name,
      status: 'requires_payment_method',
      amount: input.amount,
      currency: input.currency,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
      captureMethod: input.captureMethod,
    })
    .onConflictDoNothing()
    .returning();
  const row =
    inserted ??
    (await db
      .select()
      .from(paymentIntents)
      .where(and(eq(paymentIntents.id, id), eq(paymentIntents.userId, caller.userId)))
      .get());
  if (!row) throw new AppError('CONFLICT', 'This Idempotency-Key made a payment that is not yours.');
  if (row.providerIntentId !== null) return { row, created: false };
  const result = await provider.createIntent({
    amount: row.amount,
    currency: row.currency,
    ...(row.description !== null && { description: row.description }),
    ...(row.metadata && { metadata: row.metadata }),
    captureMethod: row.captureMethod,
    reference: row.id,
    idempotencyKey: `${row.id}:create`,
  });
  if (!result.ok) {
    // The provider made nothing: the unfinished row goes too, unless a racing retry has finished it meanwhile.
    await db
      .delete(paymentIntents)
      .where(
        and(
          eq(paymentIntents.id, row.id),
          isNull(paymentIntents.providerIntentId),
          eq(paymentIntents.version, row.version),
        ),
      );
    throw providerFailure(result);
  }
  try {
    return { row: await recordIntent(db, row, result.value), created: true };
  } catch (err) {
    // Two retries of one key racing: the provider answered both with one object, and the other recorded it.
    const recorded = await db.select().from(paymentIntents).where(eq(paymentIntents.id, row.id)).get();
    if (recorded?.providerIntentId === result.value.providerId) return { row: recorded, created: false };
    throw err;
  }
}

/**
 * The adapter a create goes to: the one the request names, or the default. A named provider that is not configured
 * here is the client's mistake (400); no provider at all for a request that named none is the deployment's (503).
 */
export function providerForCreate(env: ProvidersEnv, name: ProviderName | undefined): PaymentProvider {
  const chosen = name ?? defaultProviderName(env);
  const provider = providerFor(env, chosen);
  if (!provider && name === undefined) {
    throw new AppError('SERVICE_UNAVAILABLE', 'No payment provider is configured here.', {
      headers: { 'retry-after': '3600' },
    });
  }
  if (!provider) {
    throw new AppError('VALIDATION_FAILED', `The ${chosen} provider is not configured here.`, {
      errors: [{ path: 'provider', message: `${chosen} is not configured` }],
    });
  }
  return provider;
}
