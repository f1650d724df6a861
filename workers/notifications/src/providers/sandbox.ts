import type { Channel } from '@onasis/contracts';
import type { Provider } from './types.js';

/**
 * The provider of a channel without credentials: it sends nothing. The delivery log keeps the fully rendered message
 * for sandbox deliveries, which is where a developer (and the end-to-end suite) reads what would have been sent.
 */
export function sandboxProvider(channel: Channel): Provider {
  return {
    name: 'sandbox',
    channel,
    async send() {
      return { ok: true, providerMessageId: `sbx_${crypto.randomUUID().replaceAll('-', '')}` };
    },
  };
}

/** What each provider needs before it can send, for the reason an unconfigured channel gives. */
const CREDENTIALS: Record<string, string> = {
  resend: 'RESEND_API_KEY',
  twilio: 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (or TWILIO_MESSAGING_SERVICE_SID)',
  fcm: 'FCM_SERVICE_ACCOUNT',
  webpush: 'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT',
  slack: 'SLACK_WEBHOOK_URL',
  sandbox: 'a real provider',
};

/**
 * Why `provider` cannot send outside `local`: its credentials are missing, and the sandbox (which would report a
 * message as sent while sending nothing) runs only where `ENVIRONMENT` is `local`.
 */
export function unconfiguredReason(channel: string, provider: string): string {
  return `${channel} has no provider: ${provider} needs ${CREDENTIALS[provider] ?? 'credentials'}, and the sandbox runs only where ENVIRONMENT is local`;
}

/** The provider of a channel without credentials outside `local`: every send fails at once, saying why. */
export function unconfiguredProvider(channel: Channel, provider: string): Provider {
  const error = unconfiguredReason(channel, provider);
  return {
    name: 'unconfigured',
    channel,
    async send() {
      return { ok: false, permanent: true, error };
    },
  };
}
