import type { Channel } from '@onasis/contracts';

/** A rendered email, ready for a provider. `headers` carries List-Unsubscribe for marketing mail. */
export interface OutgoingEmail {
  channel: 'email';
  to: string;
  from: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Stable across retries of one delivery (its id), for providers that deduplicate (Resend's `Idempotency-Key`). */
  idempotencyKey: string;
  tags?: Record<string, string>;
}

/** A rendered SMS to an E.164 number. */
export interface OutgoingSms {
  channel: 'sms';
  to: string;
  body: string;
  idempotencyKey: string;
}

/** Where a push message goes: an FCM registration token or a Web Push subscription. */
export type PushTarget =
  | { kind: 'fcm'; token: string }
  | { kind: 'webpush'; endpoint: string; keys: { p256dh: string; auth: string } };

/** A rendered push message. */
export interface OutgoingPush {
  channel: 'push';
  target: PushTarget;
  title: string;
  body: string;
  /** String values only: FCM's `data` map allows nothing else. */
  data?: Record<string, string>;
  idempotencyKey: string;
}

/** A rendered chat message for a Slack incoming webhook. */
export interface OutgoingChat {
  channel: 'chat';
  text: string;
  idempotencyKey: string;
}

/** Any rendered message handed to a provider. */
export type OutgoingMessage = OutgoingEmail | OutgoingSms | OutgoingPush | OutgoingChat;

/**
 * What a provider answers. `permanent`: retrying cannot help (a 4xx other than 429); `retryAfterSeconds`: the provider
 * asked to wait (429 or 503 with Retry-After); `gone`: the push target no longer exists and should be forgotten.
 */
export type SendOutcome =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; permanent: boolean; error: string; retryAfterSeconds?: number; gone?: boolean };

/** One provider of one channel. */
export interface Provider<M extends OutgoingMessage = OutgoingMessage> {
  /** As recorded in the delivery log: `resend`, `twilio`, `fcm`, `webpush`, `slack`, `sandbox`. */
  readonly name: string;
  readonly channel: Channel;
  /** Sends per second the provider accepts; the pacer spaces sends to stay under it. Absent: no pacing. */
  readonly ratePerSecond?: number;
  send(message: M): Promise<SendOutcome>;
}

/** The providers of a channel: the configured one, and a fallback tried when it fails. */
export interface ChannelProviders {
  primary: Provider;
  fallback?: Provider;
}
