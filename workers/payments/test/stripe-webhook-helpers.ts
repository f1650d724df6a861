import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { waitForRecorded } from '@onasis/testing';
import {
  STRIPE_TEST_PAYMENT_METHODS as PM,
  type StripeTestEvent,
  stripeNamespace,
} from '@onasis/testing/stripe-server/client';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { app } from '../src/app.js';
import { dbOf } from '../src/db/client.js';
import { providerEvents } from '../src/db/schema.js';
import { createStripeProvider } from '../src/providers/stripe.js';
import { deliverBodies } from './event-helpers.js';

/** The queue only the recorder reads, standing in for `PAYMENT_EVENTS` in `deliver`. */
export const QUEUE = 'test-stripe-events';

/** A signed delivery: the exact body and the `Stripe-Signature` header Stripe would send with it. */
export interface Delivery {
  body: string;
  signature: string;
}

/** Signs `event` as Stripe does (`t=…,v1=…`), with the test endpoint secret unless another is given. */
export async function signed(
  event: unknown,
  { secret = env.STRIPE_WEBHOOK_SECRET, at = Math.floor(Date.now() / 1000) } = {},
): Promise<Delivery> {
  const body = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload: body,
    secret,
    timestamp: at,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { body, signature };
}

/**
 * Posts a delivery to the webhook route. `PAYMENT_EVENTS` points at a queue only the recorder reads, so a test
 * sees what was queued and the Worker's consumer does not apply it meanwhile.
 */
export function deliver({ body, signature }: Partial<Delivery>, bindings: Partial<typeof env> = {}): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
  if (signature !== undefined) headers.set('stripe-signature', signature);
  const request = new Request('http://payments/webhooks/stripe', { method: 'POST', body: body ?? '{}', headers });
  const scoped = { ...env, PAYMENT_EVENTS: env.TEST_STRIPE_EVENTS, ...bindings };
  return Promise.resolve(app.fetch(request, scoped, createExecutionContext()));
}

/** Real Stripe events from the local Stripe server: a card payment that succeeded, then a partial refund. */
export async function stripeEvents(): Promise<StripeTestEvent[]> {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  const stripe = createStripeProvider({ secretKey, host, port, protocol });
  const key = crypto.randomUUID();
  const created = await stripe.createIntent({
    amount: 2000,
    currency: 'usd',
    captureMethod: 'automatic',
    idempotencyKey: `create:${key}`,
  });
  if (!created.ok) throw new Error(JSON.stringify(created));
  await stripe.confirmIntent(created.value.providerId, PM.visa, `confirm:${key}`);
  await stripe.createRefund(created.value.providerId, 500, undefined, `refund:${key}`);
  return ns.events();
}

/** The event of `type` among `events`. */
export function eventOf(events: StripeTestEvent[], type: string): StripeTestEvent {
  const event = events.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} among ${events.map((e) => e.type).join(', ')}`);
  return event;
}

/** The stored rows of an event id (zero or one). */
export const storedRows = (id: string) =>
  dbOf(env.DB).select().from(providerEvents).where(eq(providerEvents.id, id)).all();

/**
 * What the webhook queued for event `id` (once at least `count` messages are there), handed to the Worker's
 * consumer as one batch, as the queue would hand it, with the Worker's env or `bindings`.
 */
export async function consume(id: string, count = 1, bindings: typeof env = env) {
  const mine = (messages: Record<string, unknown>[]) => messages.filter((m) => m.eventId === id);
  const messages = mine(await waitForRecorded(QUEUE, (all) => mine(all).length >= count));
  return { messages, result: await deliverBodies(messages, undefined, bindings) };
}
