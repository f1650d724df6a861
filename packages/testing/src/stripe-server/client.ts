import type {
  StripeAdvance,
  StripeScriptedAnswer,
  StripeTestEvent,
  StripeWebhookDelivery,
  StripeWebhookEndpoint,
} from './types.js';
import { STRIPE_TEST_KEY_PREFIX } from './types.js';

export * from './types.js';

/**
 * A namespace of its own on the local Stripe server, driven from a test inside workerd: `secretKey`, `host`, `port`
 * and `protocol` configure the `stripe` SDK (or `createStripeProvider`); the other members read and script it.
 */
export function stripeNamespace(origin: string) {
  const url = new URL(origin);
  const secretKey = `${STRIPE_TEST_KEY_PREFIX}${crypto.randomUUID().replaceAll('-', '')}`;
  const control = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}ns=${secretKey}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`stripe server ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  return {
    secretKey,
    host: url.hostname,
    port: Number(url.port),
    protocol: url.protocol.replace(':', '') as 'http' | 'https',
    /** Every Event the namespace's state changes recorded, oldest first (optionally of one type). */
    events: async (type?: string) =>
      (await control('GET', `/__events${type ? `?type=${encodeURIComponent(type)}` : ''}`)) as StripeTestEvent[],
    /** The next API calls answer these, in order, instead of the server's own answers. */
    script: (answers: StripeScriptedAnswer[]) => control('POST', '/__script', { answers }),
    /** Completes 3-D Secure or settles a bank debit (or fails either); answers the PaymentIntent. */
    advance: (input: StripeAdvance) => control('POST', '/__advance', input) as Promise<Record<string, unknown>>,
    /** From now on, every event of the namespace is signed with `secret` and posted to `url`. */
    addWebhookEndpoint: (endpoint: StripeWebhookEndpoint) => control('POST', '/__webhook-endpoints', endpoint),
    /** Every delivery attempt so far, oldest first. */
    deliveries: async () => (await control('GET', '/__deliveries')) as StripeWebhookDelivery[],
    /** A URL of this namespace's request bin, and what was posted to it. */
    sinkUrl: `${origin}/__sink?ns=${secretKey}`,
    sink: async () => (await control('GET', '/__sink')) as { headers: Record<string, string>; body: string }[],
  };
}
