import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { type StripeEnv, stripeEventOf } from '../providers/stripe.js';
import { receiveEvent } from '../services/receive-event.js';
import { verifyStripeEvent } from '../services/verify-stripe-event.js';
import { problems } from './problems.js';

const receive = createRoute({
  method: 'post',
  path: '/',
  // Stripe holds no session: the signature over the raw body is the credential, checked in the handler.
  ...access('public'),
  tags: ['payments'],
  summary: "Stripe's events",
  description:
    'Signed by Stripe (`Stripe-Signature`, the endpoint secret `STRIPE_WEBHOOK_SECRET`, 300 s tolerance) and ' +
    'verified on the raw body before anything parses it. A verified event is stored by its id and queued for the ' +
    'payments consumer, then acknowledged at once; a second delivery of the same event is acknowledged too. ' +
    'A missing, forged or stale signature is a 400 `BAD_REQUEST` with nothing stored; without ' +
    '`STRIPE_WEBHOOK_SECRET` the route answers 503 `SERVICE_UNAVAILABLE`.',
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true) }), 'Stored and queued, or already known'),
    ...problems(400, 503),
  },
});

/** `/webhooks/stripe`: Stripe's events, verified, stored and queued (the payments consumer applies them). */
export const stripeWebhook = resourceApp<AppEnv>();

stripeWebhook.openapi(receive, async (c) => {
  const env: StripeEnv = c.env;
  const secret = env.STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    await c.req.raw.body?.cancel().catch(() => {});
    throw new AppError('SERVICE_UNAVAILABLE', 'Stripe webhooks are not configured here (STRIPE_WEBHOOK_SECRET).');
  }
  // The signature covers the exact bytes Stripe sent: the text is read before anything parses it.
  const raw = await c.req.text();
  const verified = await verifyStripeEvent(raw, c.req.header('stripe-signature'), secret);
  if (!verified.ok) throw new AppError('BAD_REQUEST', verified.reason);
  // Retries and duplicates: receiveEvent keeps the first copy by event id, so Stripe's redeliveries (and replays
  // within the tolerance) store nothing new and get the same 200. If storing or queueing fails, the error is a 5xx
  // and Stripe delivers again later; a stored row that missed its enqueue is queued again by that redelivery.
  await receiveEvent(c.env, stripeEventOf(verified.event));
  return c.json({ received: true as const }, 200);
});
