import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { type PayPalEnv, paypalClientFrom, paypalEventOf } from '../providers/paypal.js';
import { acceptEvent } from '../services/receive-event.js';
import { verifyPayPalEvent } from '../services/verify-paypal-event.js';
import { problems } from './problems.js';

const receive = createRoute({
  method: 'post',
  path: '/',
  // PayPal holds no session: its transmission signature, checked with PayPal in the handler, is the credential.
  ...access('public'),
  tags: ['payments'],
  summary: "PayPal's events",
  description:
    'Signed by PayPal (`PAYPAL-TRANSMISSION-SIG` and the other `PAYPAL-*` headers) and verified with PayPal ' +
    '(`verify-webhook-signature`, the webhook id `PAYPAL_WEBHOOK_ID`) on the raw body before anything parses it. ' +
    'A verified event is acknowledged once the payments queue holds it; the consumer stores it by its id and ' +
    'applies it. A second delivery of the same event is acknowledged too, and changes nothing. Missing headers, a ' +
    'transmission older than 5 minutes, a body that is not an event or a signature PayPal does not verify is a 400 ' +
    '`BAD_REQUEST` with nothing stored; without the PayPal credentials or `PAYPAL_WEBHOOK_ID`, or when PayPal ' +
    'cannot be asked, 503 `SERVICE_UNAVAILABLE`.',
  responses: {
    200: jsonResponse(z.object({ received: z.literal(true) }), 'Queued (a copy of a known event changes nothing)'),
    ...problems(400, 503),
  },
});

/** `/webhooks/paypal`: PayPal's events, verified and queued (the payments consumer stores and applies them). */
export const paypalWebhook = resourceApp<AppEnv>();

paypalWebhook.openapi(receive, async (c) => {
  const env: PayPalEnv = c.env;
  const client = paypalClientFrom(env);
  const webhookId = env.PAYPAL_WEBHOOK_ID;
  if (!client || !webhookId) {
    await c.req.raw.body?.cancel().catch(() => {});
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      'PayPal webhooks are not configured here (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID).',
    );
  }
  // The signature covers the exact bytes PayPal sent: the text is read before anything parses it.
  const raw = await c.req.text();
  const verified = await verifyPayPalEvent(client, webhookId, raw, (name) => c.req.header(name));
  if (!verified.ok && verified.kind === 'unavailable') {
    throw new AppError('SERVICE_UNAVAILABLE', verified.reason, { headers: { 'retry-after': '60' } });
  }
  if (!verified.ok) throw new AppError('BAD_REQUEST', verified.reason);
  // Retries and duplicates: the consumer keeps the first copy by event id, so PayPal's redeliveries (each signed
  // afresh) store nothing new and get the same 200. If queueing fails, the error is a 5xx and PayPal delivers again
  // later (for up to 3 days).
  await acceptEvent(c.env, paypalEventOf(verified.event));
  return c.json({ received: true as const }, 200);
});
