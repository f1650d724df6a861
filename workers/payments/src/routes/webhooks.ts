import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { type StripeEnv, stripeEventOf } from '../providers/stripe.js';
import { acceptEvent } from '../services/receive-event.js';
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
    'verified on the raw body before anything parses it. A verified event is acknowledged once the payments queue ' +
    'holds it; the consumer stores it by its id and applies it. A second delivery of the same event is ' +
    'acknowledged too, and changes nothing. ' +
    'A missing, forged or stale signature is a 400 `BAD_REQUEST` with nothing stored; without ' +
    '`STRIPE_WEBHOOK_SECRET` the route answers 503 `SERVICE_UNAVAILABLE`.',
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true) }), 'Queued (a copy of a known event changes nothing)'),
    ...problems(400, 503),
  },
});

/** `/webhooks/stripe`: Stripe's events, verified and queued (the payments consumer stores and applies them). */
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
  // Retries and duplicates: the consumer keeps the first copy by event id, so Stripe's redeliveries (and replays
  // within the tolerance) store nothing new and get the same 200. If queueing fails, the error is a 5xx and Stripe
  // delivers again later.
  await acceptEvent(c.env, stripeEventOf(verified.event));
  return c.json({ received: true as const }, 200);
});
