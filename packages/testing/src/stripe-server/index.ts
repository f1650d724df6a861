/// <reference types="node" />
// A local stand-in for Stripe's API, speaking its wire format (form-encoded bodies, `Idempotency-Key` replay, error
// objects with Stripe's statuses, list pagination) for what the payments Worker calls: PaymentIntents (create,
// retrieve, list, confirm, capture, cancel), refunds and events. The real `stripe` SDK is pointed at it with
// `host`/`port`/`protocol`. The secret key (`sk_test_…`) names a namespace, so parallel test files never meet.
//
// Control endpoints (namespace as `?ns=<secret key>`): `GET /__events` (every Event recorded, oldest first;
// `&type=` filters), `POST /__script` `{ answers: StripeScriptedAnswer[] }` (the next API calls answer these
// instead, e.g. a 500), `POST /__advance` `StripeAdvance` (3-D Secure completed, a bank debit settled),
// `POST /__webhook-endpoints` `{ url, secret }` (every later event is posted there, signed as Stripe signs, e.g. to
// `wrangler dev`'s /webhooks/stripe) with `GET /__deliveries` its log, `POST|GET /__sink` (a request bin that
// keeps what is posted to it, to check the signed deliveries), `POST /__reset`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StripeAnswer } from './errors.js';
import { invalidRequest, missing, ok } from './errors.js';
import { advance } from './payment-methods.js';
import { handle } from './router.js';
import { ServerState } from './state.js';
import type { StripeAdvance, StripeScriptedAnswer, StripeWebhookEndpoint } from './types.js';

export * from './types.js';

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function write(res: ServerResponse, answer: StripeAnswer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
}

function control(
  state: ServerState,
  method: string,
  url: URL,
  raw: string,
  headers: Record<string, string>,
): StripeAnswer {
  const key = url.searchParams.get('ns') ?? '';
  const ns = state.get(key);
  const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  switch (`${method} ${url.pathname}`) {
    case 'GET /__events': {
      const type = url.searchParams.get('type');
      return ok(ns.events.filter((e) => !type || e.type === type));
    }
    case 'POST /__script':
      ns.scripts.push(...((body.answers ?? []) as StripeScriptedAnswer[]));
      return { status: 204, body: undefined };
    case 'POST /__advance': {
      const { paymentIntent, outcome = 'succeed' } = body as unknown as StripeAdvance;
      const pi = ns.intents.get(paymentIntent);
      return pi ? advance(ns, pi, outcome) : missing('payment_intent', String(paymentIntent));
    }
    case 'POST /__webhook-endpoints':
      ns.endpoints.push(body as unknown as StripeWebhookEndpoint);
      return { status: 204, body: undefined };
    case 'GET /__deliveries':
      return ok(ns.deliveries);
    case 'POST /__sink':
      ns.sink.push({ headers, body: raw });
      return ok({ received: true });
    case 'GET /__sink':
      return ok(ns.sink);
    case 'POST /__reset':
      state.reset(url.searchParams.get('ns') ?? undefined);
      return { status: 204, body: undefined };
    default:
      return invalidRequest(`No control endpoint ${method} ${url.pathname}.`);
  }
}

/** Starts the server on 127.0.0.1, on `port` or a free one; `url` is its origin. */
export async function startStripeServer(
  options: { port?: number } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const state = new ServerState();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = req.method ?? 'GET';
      const body = await readAll(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      if (url.pathname.startsWith('/__')) return write(res, control(state, method, url, body, headers));
      write(res, handle(state, { method, path: url.pathname, query: url.search.slice(1), headers, body }));
    })().catch((err: unknown) =>
      write(res, { status: 500, body: { error: { type: 'api_error', message: String(err) } } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
