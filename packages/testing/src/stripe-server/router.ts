/// <reference types="node" />

import { billingRoute } from './billing.js';
import { disputeRoute } from './disputes.js';
import { idempotencyError, missing, ok, type StripeAnswer, scriptedBody, unauthorized } from './errors.js';
import { type Form, parseForm } from './form.js';
import { listPage } from './list.js';
import { createIntent, intentAction, listIntents } from './payment-intents.js';
import { createRefund, retrieveRefund } from './refunds.js';
import { type Namespace, type RequestInfo, type ServerState, stripeId } from './state.js';
import { STRIPE_TEST_KEY_PREFIX, type StripeScriptedAnswer } from './types.js';

/** An API request read in full. */
export interface StripeRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

function dispatch(req: StripeRequest, ns: Namespace, form: Form, info: RequestInfo): StripeAnswer {
  const { method, path } = req;
  const query = parseForm(req.query);
  if (method === 'POST' && path === '/v1/payment_intents') return createIntent(ns, form, info);
  if (method === 'GET' && path === '/v1/payment_intents') return listIntents(ns, query);
  const pi = /^\/v1\/payment_intents\/([^/]+)(?:\/([a-z_]+))?$/.exec(path);
  if (pi?.[1]) {
    const [, id, action] = pi;
    if (method === 'GET' && !action) {
      const found = ns.intents.get(id);
      return found ? ok(found) : missing('payment_intent', id, 'intent');
    }
    if (method === 'POST' && action) return intentAction(ns, id, action, form, info);
  }
  if (method === 'POST' && path === '/v1/refunds') return createRefund(ns, form, info);
  const refund = /^\/v1\/refunds\/([^/]+)$/.exec(path);
  if (method === 'GET' && refund?.[1]) return retrieveRefund(ns, refund[1]);
  // Events as Stripe lists them, for reconciliation: newest first, optionally of one type.
  if (method === 'GET' && path === '/v1/events') {
    const type = typeof query.type === 'string' ? query.type : undefined;
    const events = [...ns.events].reverse().filter((e) => !type || e.type === type);
    return listPage(events, query, '/v1/events', 'event');
  }
  const event = /^\/v1\/events\/([^/]+)$/.exec(path);
  if (method === 'GET' && event?.[1]) {
    const found = ns.events.find((e) => e.id === event[1]);
    return found ? ok(found) : missing('event', event[1]);
  }
  return (
    billingRoute(req, ns, form, info) ?? disputeRoute(req, ns, form, info) ?? missing('route', `${method} ${path}`)
  );
}

/** Whether Stripe keeps an answer for its idempotency key: anything that began executing, not a refused parameter. */
function replayable(answer: StripeAnswer): boolean {
  const code = (answer.body as { error?: { code?: string } } | null)?.error?.code ?? '';
  return answer.status !== 401 && !code.startsWith('parameter_');
}

/**
 * Answers one API call: the key names the namespace; a scripted answer comes first and leaves no trace (with
 * `afterHandling`, the call is carried out and only its answer replaced); a POST with
 * an `Idempotency-Key` seen before replays the first answer (`Idempotent-Replayed: true`) or, with other parameters,
 * is a 400 `idempotency_error`.
 */
export function handle(state: ServerState, req: StripeRequest): StripeAnswer {
  const key = secretKeyOf(req.headers.authorization ?? '');
  if (!key) return unauthorized('You did not provide an API key.');
  if (!key.startsWith(STRIPE_TEST_KEY_PREFIX)) return unauthorized(`Invalid API Key provided: ${key.slice(0, 8)}…`);
  const ns = state.get(key);
  const requestId = stripeId('req');
  const scripted = ns.scripts.shift();
  if (scripted && !scripted.afterHandling) return scriptedAnswer(scripted, requestId);
  const answer = answerOnce(ns, req, requestId);
  return scripted ? scriptedAnswer(scripted, requestId) : answer;
}

/** The secret key of a request: `Bearer sk_…` (the SDKs), or Basic with the key as user name (`curl -u sk_…:`). */
function secretKeyOf(authorization: string): string | undefined {
  const [scheme, value = ''] = authorization.split(' ');
  if (scheme === 'Bearer') return value || undefined;
  if (scheme === 'Basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

function scriptedAnswer(scripted: StripeScriptedAnswer, requestId: string): StripeAnswer {
  return {
    status: scripted.status,
    body: scripted.body ?? scriptedBody(scripted.status),
    headers: { 'request-id': requestId, ...scripted.headers },
  };
}

function answerOnce(ns: Namespace, req: StripeRequest, requestId: string): StripeAnswer {
  const idempotencyKey = req.method === 'POST' ? (req.headers['idempotency-key'] ?? null) : null;
  const fingerprint = `${req.method} ${req.path} ${req.body}`;
  if (idempotencyKey !== null) {
    const seen = ns.idempotency.get(idempotencyKey);
    if (seen && seen.fingerprint !== fingerprint) return idempotencyError(idempotencyKey);
    if (seen) {
      return {
        ...seen.answer,
        headers: { ...seen.answer.headers, 'idempotent-replayed': 'true', 'request-id': requestId },
      };
    }
  }
  const answer = dispatch(req, ns, parseForm(req.body), { id: requestId, idempotencyKey });
  // A snapshot: the object goes on changing, the replay must not.
  const kept: StripeAnswer = { ...answer, body: structuredClone(answer.body) };
  if (idempotencyKey !== null && replayable(answer)) ns.idempotency.set(idempotencyKey, { fingerprint, answer: kept });
  return {
    ...kept,
    headers: {
      ...answer.headers,
      'request-id': requestId,
      ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
    },
  };
}
