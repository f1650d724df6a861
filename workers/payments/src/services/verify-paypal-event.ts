import { type PayPalClientOptions, paypalCall } from '../providers/paypal-client.js';
import type { PayPalEvent } from '../providers/paypal-events.js';

/** How far a delivery's `PAYPAL-TRANSMISSION-TIME` may lie from now, in ms: older ones are replays. */
export const PAYPAL_TRANSMISSION_TOLERANCE_MS = 5 * 60_000;

/** A verified event, a refused delivery (400), or a PayPal that could not be asked (503: PayPal delivers again). */
export type PayPalVerification =
  | { ok: true; event: PayPalEvent }
  | { ok: false; kind: 'refused' | 'unavailable'; reason: string };

const HEADERS = {
  auth_algo: 'paypal-auth-algo',
  cert_url: 'paypal-cert-url',
  transmission_id: 'paypal-transmission-id',
  transmission_sig: 'paypal-transmission-sig',
  transmission_time: 'paypal-transmission-time',
} as const;

const refused = (reason: string): PayPalVerification => ({ ok: false, kind: 'refused', reason });

const isEvent = (value: unknown): value is PayPalEvent => {
  const e = value as Partial<PayPalEvent> | null;
  return typeof e?.id === 'string' && typeof e.event_type === 'string' && typeof e.create_time === 'string';
};

/**
 * Checks a PayPal delivery with PayPal itself (`POST /v1/notifications/verify-webhook-signature`): the five
 * `PAYPAL-*` transmission headers, the webhook id the platform registered, and the event exactly as delivered. The
 * event goes to PayPal as the raw text it arrived as (spliced into the request, not parsed and written again), since
 * the signature covers those bytes. A transmission older than five minutes is refused before PayPal is asked: a
 * replay of a captured delivery. A PayPal that cannot answer is `unavailable` (the route answers 503 and PayPal
 * delivers again), never taken for a verdict.
 */
export async function verifyPayPalEvent(
  client: PayPalClientOptions,
  webhookId: string,
  raw: string,
  header: (name: string) => string | undefined,
  now = Date.now(),
): Promise<PayPalVerification> {
  const fields: Record<string, string> = {};
  for (const [field, name] of Object.entries(HEADERS)) {
    const value = header(name);
    if (!value) return refused(`The ${name.toUpperCase()} header is missing.`);
    fields[field] = value;
  }
  const sentAt = Date.parse(fields.transmission_time ?? '');
  if (Number.isNaN(sentAt) || Math.abs(now - sentAt) > PAYPAL_TRANSMISSION_TOLERANCE_MS) {
    return refused('The PayPal transmission time is missing, malformed or more than 5 minutes from now.');
  }
  let event: unknown;
  try {
    event = JSON.parse(raw);
  } catch {
    return refused('The body is not JSON.');
  }
  if (!isEvent(event)) return refused('The body is not a PayPal event.');
  const request = JSON.stringify({ ...fields, webhook_id: webhookId }).slice(0, -1);
  const answer = await paypalCall(client, 'POST', '/v1/notifications/verify-webhook-signature', {
    rawJson: `${request},"webhook_event":${raw}}`,
  });
  if (!answer.ok) {
    if (answer.status === 400 || answer.status === 422)
      return refused(`PayPal refused to verify it: ${answer.message}`);
    return { ok: false, kind: 'unavailable', reason: `PayPal could not verify the delivery: ${answer.message}` };
  }
  const status = (answer.body as { verification_status?: string } | null)?.verification_status;
  return status === 'SUCCESS' ? { ok: true, event } : refused('PayPal did not verify the signature.');
}
