import {
  errorText,
  failedOutcome,
  networkOutcome,
  type ProviderTimeout,
  tryFetch,
  wrongChannel,
} from './http-outcome.js';
import type { OutgoingMessage, Provider, SendOutcome } from './types.js';

export interface TwilioConfig extends ProviderTimeout {
  accountSid: string;
  authToken: string;
  /** A sender number (E.164); or use `messagingServiceSid`, which picks the sender itself. */
  from?: string;
  messagingServiceSid?: string;
  /** Overrides https://api.twilio.com. */
  baseUrl?: string;
}

/**
 * SMS through Twilio's Messages REST API with fetch (Twilio's SDK needs Node's http stack, which Workers lack).
 * Twilio has no idempotency key: a retry after a lost answer can send a second SMS, which the queue's retry accepts
 * as the lesser evil than losing a security code.
 */
export function twilioProvider(config: TwilioConfig): Provider {
  const base = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`;
  return {
    name: 'twilio',
    channel: 'sms',
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'sms') return wrongChannel('twilio', message.channel);
      const form = new URLSearchParams({ To: message.to, Body: message.body });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.from) form.set('From', config.from);
      const res = await tryFetch(
        url,
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        },
        config.timeoutMs,
      );
      if ('networkError' in res) return networkOutcome('twilio', res.networkError);
      if (!res.ok) return failedOutcome('twilio', res.status, twilioReason(await errorText(res)), res.headers);
      const body = await res.json<{ sid?: string }>().catch(() => ({ sid: undefined }));
      return { ok: true, providerMessageId: body.sid ?? null };
    },
  };
}

/** Twilio's error document `{ code, message, more_info, status }` as `21211: The 'To' number … is not valid`. */
function twilioReason(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: number; message?: string };
    if (body.message) return body.code ? `${body.code}: ${body.message}` : body.message;
  } catch {
    // Not JSON (a proxy's error page): the text itself is the best reason available.
  }
  return text;
}
