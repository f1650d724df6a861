import type {
  PayPalApproval,
  PayPalScriptedAnswer,
  PayPalSettle,
  PayPalSignedDelivery,
  PayPalTestEvent,
  PayPalWebhookDelivery,
  PayPalWebhookEndpoint,
} from './types.js';

export * from './types.js';

/**
 * A namespace of its own on the local PayPal server, driven from a test inside workerd: `clientId`,
 * `clientSecret` and `apiBase` configure the PayPal adapter; the other members act as the buyer and read and script
 * the server. `clientId` names an existing namespace (e.g. the Worker's own app), else a new one is made up.
 */
export function paypalNamespace(origin: string, clientId = `client-${crypto.randomUUID().replaceAll('-', '')}`) {
  const control = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}ns=${clientId}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`paypal server ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  return {
    clientId,
    clientSecret: `secret-${clientId}`,
    apiBase: origin,
    /** The buyer approves the order at its approval URL, choosing how the capture ends. */
    approve: (orderId: string, approval: PayPalApproval = {}) =>
      control('POST', `/__approve/${orderId}`, approval) as Promise<Record<string, unknown>>,
    /** A PENDING capture completes or is denied. */
    settle: (input: PayPalSettle) => control('POST', '/__settle', input) as Promise<Record<string, unknown>>,
    /** Every event the namespace's state changes recorded, oldest first (optionally of one type). */
    events: async (type?: string) =>
      (await control('GET', `/__events${type ? `?type=${encodeURIComponent(type)}` : ''}`)) as PayPalTestEvent[],
    /** The next API calls answer these, in order, instead of the server's own answers. */
    script: (answers: PayPalScriptedAnswer[]) => control('POST', '/__script', { answers }),
    /** Every access token issued to this client id expires now. */
    expireTokens: () => control('POST', '/__expire-tokens'),
    /** How many access tokens this client id was issued. */
    tokensIssued: async () => ((await control('GET', '/__tokens')) as { issued: number }).issued,
    /** From now on, every event of the namespace is signed for `webhookId` and posted to `url`. */
    addWebhookEndpoint: (endpoint: PayPalWebhookEndpoint) => control('POST', '/__webhook-endpoints', endpoint),
    deliveries: async () => (await control('GET', '/__deliveries')) as PayPalWebhookDelivery[],
    /** A delivery of `event` to `webhookId` signed by the server (at `transmissionTime`, default now). */
    sign: (webhookId: string, event: unknown, transmissionTime?: string) =>
      control('POST', '/__sign', { webhookId, event, transmissionTime }) as Promise<PayPalSignedDelivery>,
    sinkUrl: `${origin}/__sink?ns=${clientId}`,
    sink: async () => (await control('GET', '/__sink')) as { headers: Record<string, string>; body: string }[],
  };
}
