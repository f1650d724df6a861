// Shapes shared by the local provider server (Node) and the tests that drive it (workerd): no Node imports here.

/** Providers the server speaks for; `google-oauth` is the token endpoint FCM's sender exchanges a JWT at. */
export type ProviderId = 'resend' | 'twilio' | 'google-oauth' | 'fcm' | 'webpush' | 'slack';

/** Credentials the server accepts. Anything else is refused the way the real provider refuses it. */
export const TEST_CREDENTIALS = {
  resendApiKey: 're_test_0123456789abcdef',
  twilio: { accountSid: `AC${'0a1b2c3d'.repeat(4)}`, authToken: 'twilio-test-auth-token' },
} as const;

/** Twilio's magic test number for "not a valid phone number" (error 21211). */
export const TWILIO_INVALID_NUMBER = '+15005550001';

/** An answer queued with `POST /__script`; it replaces the provider's normal answer to the next request. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON when an object, sent as is when a string. */
  body?: unknown;
  /** Answer only after this many ms: a provider that hangs. */
  delayMs?: number;
}

/** One request as the server received it. `body` is parsed JSON, a form's fields, or base64 for binary bodies. */
export interface ReceivedRequest {
  provider: ProviderId;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** What the server answered. */
  status: number;
  response: unknown;
  /** Web Push only: the payload decrypted with the subscription's private key, and the verified VAPID claims. */
  decrypted?: string;
  vapid?: { subject: unknown; audience: unknown; publicKey: string };
}

/** A Web Push subscription the server created, as a browser's PushManager would hand it to the application. */
export interface TestPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
