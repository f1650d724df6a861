import { accessToken, dropAccessToken, type ServiceAccount } from './fcm-token.js';
import {
  errorText,
  failedOutcome,
  networkOutcome,
  type ProviderTimeout,
  tryFetch,
  wrongChannel,
} from './http-outcome.js';
import type { OutgoingMessage, Provider, SendOutcome } from './types.js';

export interface FcmConfig extends ProviderTimeout {
  serviceAccount: ServiceAccount;
  /** Overrides https://fcm.googleapis.com. */
  baseUrl?: string;
}

interface FcmError {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ errorCode?: string }> };
}

/**
 * Push to FCM registration tokens through FCM HTTP v1. A token FCM no longer knows (404, `UNREGISTERED`) is `gone`,
 * so the caller forgets it. FCM has no idempotency key: a retry after a lost answer may show the notification twice.
 */
export function fcmProvider(config: FcmConfig): Provider {
  const base = (config.baseUrl ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const url = `${base}/v1/projects/${encodeURIComponent(config.serviceAccount.project_id)}/messages:send`;
  return {
    name: 'fcm',
    channel: 'push',
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      if (message.channel !== 'push') return wrongChannel('fcm', message.channel);
      if (message.target.kind !== 'fcm') {
        return { ok: false, permanent: true, error: 'fcm cannot deliver to a Web Push subscription' };
      }
      const token = await accessToken(config.serviceAccount, Date.now(), config.timeoutMs);
      if (!token.ok) return { ok: false, permanent: token.permanent, error: token.error };
      const res = await tryFetch(
        url,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            message: {
              token: message.target.token,
              notification: { title: message.title, body: message.body },
              ...(message.data && { data: message.data }),
            },
          }),
        },
        config.timeoutMs,
      );
      if ('networkError' in res) return networkOutcome('fcm', res.networkError);
      if (res.ok) {
        const body = await res.json<{ name?: string }>().catch(() => ({ name: undefined }));
        return { ok: true, providerMessageId: body.name ?? null };
      }
      const text = await errorText(res);
      let parsed: FcmError = {};
      try {
        parsed = JSON.parse(text) as FcmError;
      } catch {
        // A non-JSON error page: its text is the reason.
      }
      const code = parsed.error?.details?.find((d) => d.errorCode)?.errorCode ?? parsed.error?.status;
      const reason = parsed.error?.message ? `${code ?? ''}: ${parsed.error.message}` : text;
      if (res.status === 401) {
        // The cached token was revoked or expired early: a retry exchanges a fresh one.
        dropAccessToken(config.serviceAccount);
        return { ok: false, permanent: false, error: `fcm 401 ${reason}` };
      }
      if (res.status === 404 || code === 'UNREGISTERED') {
        return { ok: false, permanent: true, gone: true, error: `fcm ${res.status} ${reason}` };
      }
      return failedOutcome('fcm', res.status, reason, res.headers);
    },
  };
}
