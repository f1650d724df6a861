import { newId, type Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, isNull } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { checkoutSessions } from '../db/schema.js';
import type { ProvidersEnv } from '../providers/index.js';
import type { CreateCheckoutRequest } from './billing-schemas.js';
import type { CheckoutRow } from './checkout-rows.js';
import { providerForCreate } from './create-intent.js';
import { customerIdFor, requireBilling } from './customers.js';
import { planNamed } from './plans.js';
import { derivedId, providerFailure } from './provider-errors.js';
import { liveSubscriptionOf } from './subscription-rows.js';

type CheckoutEnv = ProvidersEnv & Pick<PaymentsEnv, 'PAYMENT_PLANS'>;

const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors: [{ path, message }] });

/** A return URL must be absolute https; plain http only to localhost, and only in the local environment. */
function checkReturnUrl(env: Pick<PaymentsEnv, 'ENVIRONMENT'>, path: string, raw: string): void {
  const url = new URL(raw);
  const local = env.ENVIRONMENT === 'local' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw invalid(path, 'Must be an absolute https URL (http only to localhost in local development).');
  }
}

/**
 * Starts a hosted checkout: our row first (`open`, no provider id), then the provider's session with the idempotency
 * key `<cs_id>:create`, then its id and URL recorded. Mode subscription refuses a user who already has a live
 * subscription (409), and a plan the provider has no price for (400).
 *
 * Retries: with the client's `Idempotency-Key` the id is derived from it (per user), so a retry finds the same row and
 * the provider answers the session it made the first time; without one every call is a new session. A provider that
 * refuses or is down made nothing: the unfinished row is deleted. A crash after the provider call leaves the row
 * without a URL until that retry (an abandoned session simply never completes).
 */
export async function createCheckout(
  env: CheckoutEnv,
  caller: Principal,
  input: CreateCheckoutRequest,
  idempotencyKey?: string,
): Promise<{ row: CheckoutRow; created: boolean }> {
  checkReturnUrl(env, 'successUrl', input.successUrl);
  checkReturnUrl(env, 'cancelUrl', input.cancelUrl);
  const db = dbOf(env.DB);
  const provider = providerForCreate(env, undefined);
  const create = requireBilling(provider, 'createCheckoutSession');
  const plan = input.plan === undefined ? undefined : planNamed(env, input.plan);
  if (input.plan !== undefined && !plan) throw invalid('plan', `No plan ${input.plan}.`);
  const price = plan?.prices[provider.name];
  if (plan && !price) throw invalid('plan', `Plan ${plan.id} is not sold through ${provider.name}.`);
  if (plan && (await liveSubscriptionOf(db, caller.userId))) {
    throw new AppError('CONFLICT', 'You already have a subscription; cancel it first.');
  }
  const items = input.lineItems ?? [];
  const id = (await derivedId('cs', `checkout:${caller.userId}`, idempotencyKey)) ?? newId('cs');
  const [inserted] = await db
    .insert(checkoutSessions)
    .values({
      id,
      userId: caller.userId,
      provider: provider.name,
      mode: input.mode,
      plan: plan?.id ?? null,
      lineItems: plan ? null : items,
      amountTotal: plan ? plan.amount : items.reduce((sum, i) => sum + i.amount * i.quantity, 0),
      currency: plan ? plan.currency : (items[0]?.currency ?? 'usd'),
      status: 'open',
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
    })
    .onConflictDoNothing()
    .returning();
  const row =
    inserted ??
    (await db
      .select()
      .from(checkoutSessions)
      .where(and(eq(checkoutSessions.id, id), eq(checkoutSessions.userId, caller.userId)))
      .get());
  if (!row) throw new AppError('CONFLICT', 'This Idempotency-Key made a checkout session that is not yours.');
  if (row.providerSessionId !== null) return { row, created: false };
  const customerId = await customerIdFor(db, provider, caller.userId);
  const result = await create({
    mode: row.mode,
    reference: row.id,
    ...(row.lineItems?.length ? { lineItems: row.lineItems } : {}),
    ...(price !== undefined && { price }),
    customerId,
    successUrl: row.successUrl,
    cancelUrl: row.cancelUrl,
    idempotencyKey: `${row.id}:create`,
  });
  if (!result.ok) {
    await db
      .delete(checkoutSessions)
      .where(and(eq(checkoutSessions.id, row.id), isNull(checkoutSessions.providerSessionId)));
    throw providerFailure(result);
  }
  const [recorded] = await db
    .update(checkoutSessions)
    .set({ providerSessionId: result.value.providerId, url: result.value.url, updatedAt: new Date().toISOString() })
    .where(and(eq(checkoutSessions.id, row.id), isNull(checkoutSessions.providerSessionId)))
    .returning();
  // A racing retry of the same key recorded the same session first.
  const final = recorded ?? (await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, row.id)).get());
  if (!final) throw new Error(`checkout session ${row.id} vanished`);
  return { row: final, created: true };
}
