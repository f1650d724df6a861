import { env, exports } from 'cloudflare:workers';
import { newId, type Principal } from '@onasis/contracts';
import { eventually, forwardTo, recordedMessages } from '@onasis/testing';
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { customers, providerEvents, subscriptions } from '../src/db/schema.js';
import type { ProviderEvent } from '../src/providers/provider.js';
import type { ProviderSubscription } from '../src/providers/provider-billing.js';
import { deliver } from './event-helpers.js';
import { call } from './helpers.js';

declare global {
  namespace Cloudflare {
    interface Env {
      /** Identity's database, which the real identity Worker beside this one reads and writes (vitest.config.ts). */
      IDENTITY_DB: D1Database;
    }
  }
}

export const db = dbOf(env.DB);

const forward = forwardTo('payments', () => exports.PaymentsService);

/** A public request (no principal), as the gateway forwards a browser's. */
export const publicCall = (path: string, init: RequestInit = {}) => forward(path, init, {});

/** A new member, known to identity (on the `free` plan), who pays for themselves. */
export async function newMember(): Promise<Principal> {
  const id = newId('usr');
  await env.IDENTITY_DB.prepare('INSERT INTO users (id, email, email_verified_at) VALUES (?, ?, ?)')
    .bind(id, `${id}@example.com`, new Date().toISOString())
    .run();
  return { userId: id, sessionId: `ses_${id}`, permissions: ['payments:read', 'payments:write'], via: 'access_token' };
}

/** The user's plan as identity holds it. */
export async function planInIdentity(userId: string): Promise<string | undefined> {
  const row = await env.IDENTITY_DB.prepare('SELECT plan FROM users WHERE id = ?')
    .bind(userId)
    .first<{ plan: string }>();
  return row?.plan;
}

/** Waits until identity holds `plan` for the user (events are applied asynchronously). */
export function waitForPlan(userId: string, plan: string): Promise<string> {
  let last: string | undefined;
  return eventually(
    async () => {
      last = await planInIdentity(userId);
      return last === plan ? last : null;
    },
    { timeoutMs: 15_000, failure: () => `plan of ${userId} stayed ${last}, not ${plan}` },
  );
}

/** A subscription as the API answers it. */
export interface Subscription {
  id: string;
  plan: string;
  status: string;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  graceUntil: string | null;
}

/** Subscribes `as` to `pro` with the sandbox, failing the test on anything but 201. */
export async function subscribe(as: Principal): Promise<Subscription> {
  const res = await call('/api/v1/payments/subscriptions', { json: { plan: 'pro' } }, as);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<Subscription>();
}

/** Reads the caller's subscription. */
export async function mySubscription(as: Principal): Promise<Subscription> {
  const res = await call('/api/v1/payments/subscriptions/me', {}, as);
  expect(res.status).toBe(200);
  return res.json<Subscription>();
}

/** The provider's view of a stored subscription, as the sandbox would send it in an event. */
export async function providerViewOf(subscriptionId: string): Promise<ProviderSubscription> {
  const row = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).get();
  const customer =
    row &&
    (await db
      .select()
      .from(customers)
      .where(and(eq(customers.userId, row.userId), eq(customers.provider, 'sandbox')))
      .get());
  if (!row?.providerSubscriptionId || !customer?.providerCustomerId) throw new Error(`no ${subscriptionId}`);
  return {
    providerId: row.providerSubscriptionId,
    customerId: customer.providerCustomerId,
    price: 'sbx_price_pro',
    status: row.status,
    currentPeriodEnd: Date.parse(row.currentPeriodEnd ?? ''),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    updatedAt: Date.now(),
  };
}

/** Stores a sandbox billing event without queueing it, and answers its id; `apply` delivers it to the consumer. */
export async function storeBillingEvent(
  type: string,
  fields: Omit<ProviderEvent, 'id' | 'provider' | 'type' | 'createdAt'>,
) {
  const event: ProviderEvent = {
    id: `sbx_evt_${crypto.randomUUID()}`,
    provider: 'sandbox',
    type,
    createdAt: Date.now(),
    ...fields,
  };
  await db
    .insert(providerEvents)
    .values({ id: event.id, type, provider: 'sandbox', payload: event, status: 'pending' });
  return event.id;
}

/** Delivers stored events to the consumer, in order, one batch each. */
export async function apply(...eventIds: string[]) {
  for (const id of eventIds) await deliver([id]);
}

/** The stored status of an event. */
export const eventStatus = async (id: string) =>
  (await db.select().from(providerEvents).where(eq(providerEvents.id, id)).get())?.status;

/** The notices payments asked notifications to send to `userId`, of `template`. */
export async function noticesTo(userId: string, template: string) {
  const messages = await recordedMessages('test-notifications');
  return messages
    .map((m) => m as { to: string; template: string; idempotencyKey: string; data: Record<string, unknown> })
    .filter((b) => b.to === userId && b.template === template);
}

/** Waits until at least `count` notices of `template` went to `userId`. */
export function waitForNotices(userId: string, template: string, count = 1) {
  return eventually(
    async () => {
      const found = await noticesTo(userId, template);
      return found.length >= count ? found : null;
    },
    { timeoutMs: 10_000, failure: () => `fewer than ${count} ${template} notices to ${userId}` },
  );
}
