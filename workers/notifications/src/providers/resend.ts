import { Resend } from 'resend';
import { failedOutcome, PROVIDER_TIMEOUT_MS, type ProviderTimeout, wrongChannel } from './http-outcome.js';
import type { OutgoingMessage, Provider, SendOutcome } from './types.js';

/** Resend's default: 2 requests per second per team. */
const DEFAULT_RATE = 2;

export interface ResendConfig extends ProviderTimeout {
  apiKey: string;
  /** Overrides https://api.resend.com, for a local server speaking Resend's API. */
  baseUrl?: string;
  ratePerSecond?: number;
}

/**
 * Email through Resend's SDK. The delivery's idempotency key becomes Resend's `Idempotency-Key`, so a retry of a
 * send whose answer was lost (timeout, isolate eviction) returns the first email's id instead of sending again.
 */
export function resendProvider(config: ResendConfig): Provider {
  const client = new Resend(config.apiKey, config.baseUrl ? { baseUrl: config.baseUrl.replace(/\/$/, '') } : {});
  return {
    name: 'resend',
    channel: 'email',
    ratePerSecond: config.ratePerSecond ?? DEFAULT_RATE,
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'email') return wrongChannel('resend', message.channel);
      // The SDK answers `{ data, error, headers }` and does not throw, network failures included.
      const { data, error, headers } = await client.emails.send(
        {
          from: message.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          ...(message.replyTo && { replyTo: message.replyTo }),
          ...(message.headers && { headers: message.headers }),
          ...(message.tags && { tags: Object.entries(message.tags).map(([name, value]) => ({ name, value })) }),
        },
        // An aborted request comes back as the SDK's network error (statusCode null): retryable.
        {
          idempotencyKey: message.idempotencyKey,
          signal: AbortSignal.timeout(config.timeoutMs ?? PROVIDER_TIMEOUT_MS),
        },
      );
      if (error) {
        // statusCode null: no answer at all (network), which a later attempt may get.
        if (error.statusCode === null) {
          return { ok: false, permanent: false, error: `resend network error: ${error.message}` };
        }
        return failedOutcome('resend', error.statusCode, `${error.name}: ${error.message}`, new Headers(headers ?? {}));
      }
      return { ok: true, providerMessageId: data?.id ?? null };
    },
  };
}
