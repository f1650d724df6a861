/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import {
  invalidClient,
  invalidRequest,
  invalidToken,
  notFound,
  ok,
  type PayPalAnswer,
  scriptedBody,
  unprocessable,
} from './errors.js';
import { authorizeOrder, captureOrder, createOrder, minimal } from './orders.js';
import { captureAuthorization, refundCapture, voidAuthorization } from './payments.js';
import type { Namespace, ServerState, WireObject } from './state.js';
import type { PayPalScriptedAnswer } from './types.js';
import { type VerificationRequest, verifySignature } from './webhooks.js';

/** An API request read in full. */
export interface PayPalRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Access tokens live nine hours, as PayPal's do. */
const TOKEN_SECONDS = 32_400;

/** `POST /v1/oauth2/token` with Basic `client_id:client_secret` and `grant_type=client_credentials`. */
function issueToken(state: ServerState, req: PayPalRequest): PayPalAnswer {
  const [scheme, value = ''] = (req.headers.authorization ?? '').split(' ');
  const [clientId = '', secret = ''] = Buffer.from(value, 'base64').toString('utf8').split(':');
  if (scheme !== 'Basic' || !clientId || !secret) return invalidClient();
  if (new URLSearchParams(req.body).get('grant_type') !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
  }
  const token = `A21AA${randomBytes(32).toString('base64url')}`;
  state.tokens.set(token, { clientId, expiresAt: Date.now() + TOKEN_SECONDS * 1000 });
  state.get(clientId).tokensIssued += 1;
  return ok({
    scope: 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund',
    access_token: token,
    token_type: 'Bearer',
    app_id: `APP-${clientId.slice(0, 17).toUpperCase()}`,
    expires_in: TOKEN_SECONDS,
    nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
  });
}

const answerOf = (answer: PayPalAnswer, representation: boolean): PayPalAnswer =>
  representation || answer.status >= 300 ? answer : { ...answer, body: minimal(answer.body as WireObject) };

function dispatch(state: ServerState, ns: Namespace, req: PayPalRequest, body: Record<string, unknown>): PayPalAnswer {
  const { method, path } = req;
  const representation = (req.headers.prefer ?? '').includes('return=representation');
  if (method === 'POST' && path === '/v2/checkout/orders') {
    return answerOf(createOrder(state, ns, clientIdOf(state, req), body), representation);
  }
  const order = /^\/v2\/checkout\/orders\/([A-Z0-9]+)(?:\/(capture|authorize))?$/.exec(path);
  if (order?.[1]) {
    const record = ns.orders.get(order[1]);
    if (!record) return notFound('order', order[1]);
    if (method === 'GET' && !order[2]) return ok(record.order);
    if (method === 'POST' && order[2] === 'capture') return answerOf(captureOrder(ns, record), representation);
    if (method === 'POST' && order[2] === 'authorize') return answerOf(authorizeOrder(ns, record), representation);
  }
  const payment = /^\/v2\/payments\/(authorizations|captures|refunds)\/([A-Z0-9]+)(?:\/(capture|void|refund))?$/.exec(
    path,
  );
  if (payment?.[1] && payment[2]) {
    const [, kind, id, action] = payment;
    if (method === 'POST' && kind === 'authorizations' && action === 'capture')
      return captureAuthorization(ns, id, body);
    if (method === 'POST' && kind === 'authorizations' && action === 'void')
      return voidAuthorization(ns, id, representation);
    if (method === 'POST' && kind === 'captures' && action === 'refund') return refundCapture(ns, id, body);
    if (method === 'GET' && !action) {
      const found =
        kind === 'authorizations'
          ? ns.authorizations.get(id)?.authorization
          : kind === 'captures'
            ? ns.captures.get(id)?.capture
            : ns.refunds.get(id);
      return found ? ok(found) : notFound(kind.slice(0, -1), id);
    }
  }
  if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature') {
    const request = body as VerificationRequest;
    if (typeof request.webhook_id !== 'string' || request.webhook_event === undefined) {
      return invalidRequest('MISSING_REQUIRED_PARAMETER', 'webhook_id and webhook_event are required.');
    }
    return ok({ verification_status: verifySignature(state.signingKey, request) });
  }
  return notFound('route', `${method} ${path}`);
}

/** The client id behind a request's bearer token (already checked by `handle`). */
function clientIdOf(state: ServerState, req: PayPalRequest): string {
  const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ');
  return (scheme === 'Bearer' && state.tokens.get(token)?.clientId) || '';
}

/** Whether PayPal keeps an answer for its request id: one that began executing, not a refused token or a 5xx. */
const replayable = (answer: PayPalAnswer) => answer.status !== 401 && answer.status !== 429 && answer.status < 500;

/**
 * Answers one API call. The bearer token names the namespace (its client id); a scripted answer comes first (with
 * `afterHandling`, the call is carried out and only its answer replaced); a POST with a `PayPal-Request-Id` seen
 * before replays the first answer, or is a 422 `PAYPAL_REQUEST_ID_PREVIOUSLY_USED` for another request.
 */
export function handle(state: ServerState, req: PayPalRequest): PayPalAnswer {
  if (req.method === 'POST' && req.path === '/v1/oauth2/token') return issueToken(state, req);
  const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ');
  const known = scheme === 'Bearer' ? state.tokens.get(token) : undefined;
  if (!known) return invalidToken('Authentication failed due to invalid authentication credentials.');
  if (known.expiresAt <= Date.now()) return invalidToken('The token passed in was found to be expired');
  const ns = state.get(known.clientId);
  const index = ns.scripts.findIndex((s) => s.path === undefined || req.path.endsWith(s.path));
  const scripted = index >= 0 ? ns.scripts.splice(index, 1)[0] : undefined;
  if (scripted && !scripted.afterHandling) return scriptedAnswer(scripted);
  const answer = answerOnce(state, ns, req);
  return scripted ? scriptedAnswer(scripted) : answer;
}

function scriptedAnswer(scripted: PayPalScriptedAnswer): PayPalAnswer {
  return { status: scripted.status, body: scripted.body ?? scriptedBody(scripted.status), headers: scripted.headers };
}

function answerOnce(state: ServerState, ns: Namespace, req: PayPalRequest): PayPalAnswer {
  let body: Record<string, unknown> = {};
  try {
    body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
  } catch {
    return invalidRequest('MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
  }
  const requestId = req.method === 'POST' ? (req.headers['paypal-request-id'] ?? null) : null;
  const fingerprint = `${req.method} ${req.path} ${req.body}`;
  if (requestId !== null) {
    const seen = ns.idempotency.get(requestId);
    if (seen && seen.fingerprint !== fingerprint) {
      return unprocessable('PAYPAL_REQUEST_ID_PREVIOUSLY_USED', 'The PayPal-Request-Id was used for another request.');
    }
    if (seen) return seen.answer;
  }
  const answer = dispatch(state, ns, req, body);
  // A snapshot: the object goes on changing, the replay must not.
  const kept: PayPalAnswer = { ...answer, body: structuredClone(answer.body) };
  if (requestId !== null && replayable(answer)) ns.idempotency.set(requestId, { fingerprint, answer: kept });
  return kept;
}
