import {
  errorText,
  failedOutcome,
  networkOutcome,
  type ProviderTimeout,
  tryFetch,
  wrongChannel,
} from './http-outcome.js';
import type { OutgoingMessage, Provider, SendOutcome } from './types.js';

/** Slack's incoming webhooks accept about one message per second per webhook. */
const DEFAULT_RATE = 1;

export interface SlackConfig extends ProviderTimeout {
  /** The incoming webhook URL: a secret, since anyone holding it can post to the channel. */
  webhookUrl: string;
  ratePerSecond?: number;
}

/**
 * Chat through a Slack incoming webhook. Slack answers `ok` as plain text on success and a short error code
 * (`invalid_payload`, `no_service`, `channel_is_archived`…) with a 4xx otherwise. Slack has no idempotency key.
 */
export function slackProvider(config: SlackConfig): Provider {
  return {
    name: 'slack',
    channel: 'chat',
    ratePerSecond: config.ratePerSecond ?? DEFAULT_RATE,
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'chat') return wrongChannel('slack', message.channel);
      const res = await tryFetch(
        config.webhookUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: message.text }),
        },
        config.timeoutMs,
      );
      if ('networkError' in res) return networkOutcome('slack', res.networkError);
      if (!res.ok) return failedOutcome('slack', res.status, await errorText(res), res.headers);
      await res.body?.cancel();
      // Incoming webhooks return no message id.
      return { ok: true, providerMessageId: null };
    },
  };
}
