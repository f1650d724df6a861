/// <reference types="node" />
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { PayPalSignedDelivery, PayPalTestEvent, PayPalWebhookDelivery, PayPalWebhookEndpoint } from './types.js';

// PayPal signs `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the body>` with its certificate's
// RSA key (SHA256withRSA), and `POST /v1/notifications/verify-webhook-signature` checks it. This server signs the
// same fields with an HMAC key only it knows, so its verification endpoint answers SUCCESS exactly for deliveries it
// made, to that webhook id, with that body; the headers keep PayPal's names and shapes.

function signatureOf(key: Buffer, id: string, time: string, webhookId: string, body: string): string {
  const digest = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', key).update(`${id}|${time}|${webhookId}|${digest}`).digest('base64');
}

/** The `PAYPAL-*` headers of a delivery of `body` to the webhook `webhookId`. */
export function signDelivery(
  key: Buffer,
  origin: string,
  body: string,
  webhookId: string,
  time = new Date().toISOString(),
): PayPalSignedDelivery {
  const id = randomUUID();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-cert-url': `${origin}/v1/notifications/certs/CERT-360caa42-fca2a594-local`,
      'paypal-transmission-id': id,
      'paypal-transmission-sig': signatureOf(key, id, time, webhookId, body),
      'paypal-transmission-time': time,
    },
  };
}

/** The fields of `verify-webhook-signature`, as the API takes them. */
export interface VerificationRequest {
  auth_algo?: unknown;
  cert_url?: unknown;
  transmission_id?: unknown;
  transmission_sig?: unknown;
  transmission_time?: unknown;
  webhook_id?: unknown;
  webhook_event?: unknown;
}

/** SUCCESS only for a delivery this server signed, to the same webhook id, with an unchanged event. */
export function verifySignature(key: Buffer, request: VerificationRequest): 'SUCCESS' | 'FAILURE' {
  const { transmission_id: id, transmission_time: time, transmission_sig: sig, webhook_id: webhookId } = request;
  if (typeof id !== 'string' || typeof time !== 'string' || typeof sig !== 'string' || typeof webhookId !== 'string') {
    return 'FAILURE';
  }
  // The delivered body was `JSON.stringify` of the event; the parsed event serialises back to the same text.
  const expected = Buffer.from(signatureOf(key, id, time, webhookId, JSON.stringify(request.webhook_event)));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'SUCCESS' : 'FAILURE';
}

const RETRY_DELAYS_MS = [0, 200, 1000];

/** Delivers one event to every registered webhook, retrying a non-2xx a few times, each attempt signed afresh. */
export async function deliverEvent(
  event: PayPalTestEvent,
  endpoints: PayPalWebhookEndpoint[],
  log: PayPalWebhookDelivery[],
  key: Buffer,
  origin: string,
): Promise<void> {
  const body = JSON.stringify(event);
  await Promise.all(
    endpoints.map(async ({ url, webhookId }) => {
      for (const delay of RETRY_DELAYS_MS) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        const { headers } = signDelivery(key, origin, body, webhookId);
        const status = await fetch(url, { method: 'POST', body, headers }).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status;
          },
          () => 0,
        );
        log.push({ eventId: event.id, type: event.event_type, url, status });
        if (status >= 200 && status < 300) return;
      }
    }),
  );
}
