import { encryptNotification, type PushSubscription, vapidHeaders } from '@block65/webcrypto-web-push';
import {
  errorText,
  failedOutcome,
  networkOutcome,
  type ProviderTimeout,
  tryFetch,
  wrongChannel,
} from './http-outcome.js';
import type { OutgoingMessage, Provider, SendOutcome } from './types.js';

export interface WebPushConfig extends ProviderTimeout {
  /** The application server's VAPID key pair (base64url: the raw uncompressed public point, the private scalar). */
  publicKey: string;
  privateKey: string;
  /** A `mailto:` or `https:` contact for the push service's operators. */
  subject: string;
  /**
   * Lets plain-http loopback endpoints through (local push servers in tests and `pnpm dev`). The library refuses
   * non-https endpoints, as RFC 8030 requires, so the VAPID audience of such an endpoint is its https origin.
   */
  allowLoopback?: boolean;
}

/** A day: a notification older than that is stale, and the push service may drop it rather than store it longer. */
const TTL_SECONDS = 86_400;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). A subscription the push
 * service answers 404 or 410 for has expired or been revoked by the browser: `gone`.
 */
export function webPushProvider(config: WebPushConfig): Provider {
  const vapid = { subject: config.subject, publicKey: config.publicKey, privateKey: config.privateKey };
  return {
    name: 'webpush',
    channel: 'push',
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'push') return wrongChannel('webpush', message.channel);
      if (message.target.kind !== 'webpush') {
        return { ok: false, permanent: true, error: 'webpush cannot deliver to an FCM token' };
      }
      const endpoint = new URL(message.target.endpoint);
      const insecureLoopback = endpoint.protocol === 'http:' && LOOPBACK.has(endpoint.hostname);
      if (endpoint.protocol !== 'https:' && !(insecureLoopback && config.allowLoopback)) {
        return { ok: false, permanent: true, gone: true, error: `webpush endpoint is not https: ${endpoint.origin}` };
      }
      const audience = insecureLoopback ? `https://${endpoint.host}${endpoint.pathname}` : endpoint.href;
      const subscription: PushSubscription = { endpoint: audience, expirationTime: null, keys: message.target.keys };
      let headers: Record<string, string>;
      let body: Uint8Array;
      try {
        headers = (await vapidHeaders(subscription, vapid)).headers;
        const payload = JSON.stringify({ title: message.title, body: message.body, data: message.data ?? {} });
        body = await encryptNotification(subscription, new TextEncoder().encode(payload));
      } catch (err) {
        // Malformed subscription keys or an oversized payload: no retry can fix either.
        return { ok: false, permanent: true, error: `webpush cannot encrypt: ${String(err)}` };
      }
      const res = await tryFetch(
        endpoint.href,
        {
          method: 'POST',
          headers: {
            ...headers,
            ttl: String(TTL_SECONDS),
            urgency: 'normal',
            'content-encoding': 'aes128gcm',
            'content-type': 'application/octet-stream',
          },
          body,
        },
        config.timeoutMs,
      );
      if ('networkError' in res) return networkOutcome('webpush', res.networkError);
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        return { ok: false, permanent: true, gone: true, error: `webpush ${res.status} subscription expired` };
      }
      if (!res.ok) return failedOutcome('webpush', res.status, await errorText(res), res.headers);
      await res.body?.cancel();
      // Push services answer 201 with the message resource's URL in Location.
      return { ok: true, providerMessageId: res.headers.get('location') };
    },
  };
}
