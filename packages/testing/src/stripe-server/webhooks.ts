/// <reference types="node" />
import { createHmac } from 'node:crypto';
import type { StripeTestEvent, StripeWebhookDelivery } from './types.js';

/** Where a namespace's events go, as a Stripe webhook endpoint (`we_…`) with its signing secret. */
export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/**
 * Stripe's signature scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint secret>`, the
 * header `stripe.webhooks.generateTestHeaderStringAsync` writes and `constructEventAsync` checks.
 */
export function signatureHeader(body: string, secret: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

const RETRY_DELAYS_MS = [0, 200, 1000];

/**
 * Delivers one event to every endpoint, retrying a non-2xx or a refused connection a few times as Stripe would
 * (over days; here within a second). Each attempt is logged for tests to read; each is signed afresh, since a
 * signature's timestamp ages.
 */
export async function deliverEvent(
  event: StripeTestEvent,
  endpoints: WebhookEndpoint[],
  log: StripeWebhookDelivery[],
): Promise<void> {
  const body = JSON.stringify(event);
  await Promise.all(
    endpoints.map(async ({ url, secret }) => {
      for (const delay of RETRY_DELAYS_MS) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        const status = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'stripe-signature': signatureHeader(body, secret),
          },
        }).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status;
          },
          () => 0,
        );
        log.push({ eventId: event.id, type: event.type, url, status });
        if (status >= 200 && status < 300) return;
      }
    }),
  );
}
