// Stripe's error objects, with the statuses the real API answers them with (the SDK picks its error class by status).

/** An answer of the server: status, JSON body, extra headers. */
export interface StripeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): StripeAnswer => ({ status: 200, body });

interface ErrorFields {
  code?: string;
  decline_code?: string;
  param?: string;
  payment_intent?: unknown;
}

function error(status: number, type: string, message: string, fields: ErrorFields = {}): StripeAnswer {
  return { status, body: { error: { type, message, ...fields } } };
}

/** 400 `invalid_request_error`: a missing or wrong parameter, or an object in the wrong state. */
export const invalidRequest = (message: string, fields: ErrorFields = {}) =>
  error(400, 'invalid_request_error', message, fields);

/** 404 `resource_missing`. */
export const missing = (kind: string, id: string, param = 'id') =>
  error(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });

/** 401: no key, or a key the server does not know. */
export const unauthorized = (message: string) => error(401, 'invalid_request_error', message);

/** 402 `card_error`: the card was declined; Stripe includes the intent as it now stands. */
export const cardError = (declineCode: string, paymentIntent: unknown) =>
  error(402, 'card_error', 'Your card was declined.', {
    code: 'card_declined',
    decline_code: declineCode,
    payment_intent: paymentIntent,
  });

/** 400 `idempotency_error`: a key reused with other parameters. */
export const idempotencyError = (key: string) =>
  error(
    400,
    'idempotency_error',
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  );

/** 400 `payment_intent_unexpected_state`. */
export const unexpectedState = (id: string, status: string, action: string) =>
  invalidRequest(`You cannot ${action} this PaymentIntent because it has a status of ${status}.`, {
    code: 'payment_intent_unexpected_state',
    payment_intent: id,
  });

/** The default body of a scripted failure, by status. */
export function scriptedBody(status: number): unknown {
  if (status === 429)
    return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests.' } };
  return { error: { type: 'api_error', message: `Scripted failure (${status}).` } };
}
