// PayPal's error objects (`{ name, message, debug_id, details: [{ issue, description }], links }`), with the statuses
// the REST API answers them with; OAuth errors have their own shape (`{ error, error_description }`).
import { randomBytes } from 'node:crypto';

/** An answer of the server: status, JSON body (none for 204), extra headers. */
export interface PayPalAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): PayPalAnswer => ({ status, body });

const debugId = () => randomBytes(7).toString('hex');

function error(status: number, name: string, message: string, issue?: string, description?: string): PayPalAnswer {
  return {
    status,
    body: {
      name,
      message,
      debug_id: debugId(),
      details: issue ? [{ issue, description: description ?? issue }] : [],
      links: issue
        ? [
            {
              href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${issue}`,
              rel: 'information_link',
            },
          ]
        : [],
    },
  };
}

/** 400 `INVALID_REQUEST`: a body that violates the schema (a missing field, a malformed amount). */
export const invalidRequest = (issue: string, description: string) =>
  error(
    400,
    'INVALID_REQUEST',
    'Request is not well-formed, syntactically incorrect, or violates schema.',
    issue,
    description,
  );

/** 422 `UNPROCESSABLE_ENTITY`: a well-formed request the object's state refuses (not approved, already captured). */
export const unprocessable = (issue: string, description: string) =>
  error(
    422,
    'UNPROCESSABLE_ENTITY',
    'The requested action could not be performed, semantically incorrect, or failed business validation.',
    issue,
    description,
  );

/** 404 `RESOURCE_NOT_FOUND`. */
export const notFound = (kind: string, id: string) =>
  error(
    404,
    'RESOURCE_NOT_FOUND',
    'The specified resource does not exist.',
    'INVALID_RESOURCE_ID',
    `Specified resource ID does not exist (${kind} ${id}).`,
  );

/** 401 from the API: no token, an unknown one or an expired one. */
export const invalidToken = (description: string): PayPalAnswer => ({
  status: 401,
  body: { error: 'invalid_token', error_description: description },
});

/** 401 from `/v1/oauth2/token`: credentials it does not take. */
export const invalidClient = (): PayPalAnswer => ({
  status: 401,
  body: { error: 'invalid_client', error_description: 'Client Authentication failed' },
});

/** The default body of a scripted failure, by status. */
export function scriptedBody(status: number): unknown {
  if (status === 401) return invalidToken('Token signature verification failed').body;
  if (status === 429) return error(429, 'RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.').body;
  if (status === 422) return unprocessable('INSTRUMENT_DECLINED', 'The instrument presented was declined.').body;
  if (status >= 500) return error(status, 'INTERNAL_SERVER_ERROR', 'An internal server error has occurred.').body;
  return error(status, 'INVALID_REQUEST', `Scripted failure (${status}).`).body;
}
