import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import { Resend } from 'resend';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import type { ProviderEnv } from '../providers/config.js';
import { applyResendEvent, type ResendEmailEvent } from '../providers/resend-events.js';
import { problems } from './problems.js';

const receive = createRoute({
  method: 'post',
  path: '/',
  // Resend holds no session: the Svix signature over the body is the credential, checked here.
  ...access('public'),
  tags: ['notifications'],
  summary: "Resend's delivery events",
  description:
    'Signed by Resend (Svix headers `svix-id`, `svix-timestamp`, `svix-signature`). Updates the delivery log: ' +
    'sent, delivered, delivery delayed, bounced, complained, failed. Events for unknown emails are acknowledged.',
  responses: {
    200: jsonResponse(
      z.object({ received: z.literal(true), updated: z.boolean() }),
      'Accepted (whether or not a delivery changed)',
    ),
    ...problems(400, 401, 404),
  },
});

const EventSchema: z.ZodType<ResendEmailEvent> = z.object({
  type: z.string(),
  data: z.object({
    email_id: z.string().optional(),
    bounce: z
      .object({ message: z.string().optional(), type: z.string().optional(), subType: z.string().optional() })
      .optional(),
    failed: z.object({ reason: z.string().optional() }).optional(),
  }),
});

/** `/webhooks/resend`: Resend's delivery events, signature verified, update the delivery log. */
export const resendWebhook = resourceApp<AppEnv>();

resendWebhook.openapi(receive, async (c) => {
  const env: ProviderEnv = c.env;
  const secret = env.RESEND_WEBHOOK_SECRET;
  if (!secret) {
    await c.req.raw.body?.cancel().catch(() => {});
    // A 4xx, not a 503: anyone can post here, and the gateway counts a service's 5xx toward opening its circuit
    // breaker, so a 503 would let five anonymous posts take every notifications route down.
    throw new AppError('NOT_FOUND', 'Resend webhooks are not enabled on this deployment (RESEND_WEBHOOK_SECRET).');
  }
  // The signature covers the exact bytes Resend sent: verify the raw text before parsing anything.
  const payload = await c.req.text();
  let event: unknown;
  try {
    // verify() makes no API call; the SDK's constructor only insists on some key being present.
    const resend = new Resend(env.RESEND_API_KEY || 're_webhook_verification');
    event = resend.webhooks.verify({
      payload,
      headers: {
        id: c.req.header('svix-id') ?? '',
        timestamp: c.req.header('svix-timestamp') ?? '',
        signature: c.req.header('svix-signature') ?? '',
      },
      webhookSecret: secret,
    });
  } catch {
    throw new AppError('UNAUTHENTICATED', 'The Resend webhook signature is missing, invalid or too old.');
  }
  const parsed = EventSchema.safeParse(event);
  if (!parsed.success) throw new AppError('BAD_REQUEST', 'The body is not a Resend event.');
  // A retried or replayed delivery of the same event (same svix-id) matches no row the second time: see
  // applyResendEvent. Resend retries until it gets a 2xx, so an event about an unknown email is acknowledged.
  const updated = await applyResendEvent(dbOf(c.env.DB), parsed.data);
  return c.json({ received: true as const, updated }, 200);
});
