/// <reference types="node" />
// A local stand-in for PayPal's REST API, speaking its wire format (JSON bodies, `PayPal-Request-Id` replay, PayPal
// error objects, OAuth client-credential tokens that expire) for what the payments Worker calls: Orders v2 (create,
// get, capture, authorize), authorizations (capture, void), captures (refund), and webhook signature verification.
// The client id names a namespace, so parallel test files never meet.
//
// Control endpoints (namespace as `?ns=<client id>`): `POST /__approve/{orderId}` `PayPalApproval` (the buyer
// approving; `GET /checkoutnow?token=<orderId>` is the approval page whose form posts there), `POST /__settle`
// `PayPalSettle` (a PENDING capture completes or is denied), `GET /__events` (`&type=` filters), `POST /__script`
// `{ answers }` (the next API calls answer these instead), `POST /__expire-tokens` (the namespace's tokens expire
// now), `GET /__tokens` (`{ issued }`), `POST /__webhook-endpoints` `{ url, webhookId }` (every later event is
// signed and posted there) with `GET /__deliveries` its log, `POST /__sign` `PayPalSignRequest` (a signed delivery
// of any event), `POST|GET /__sink` (a request bin), `POST /__reset`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidRequest, notFound, ok, type PayPalAnswer } from './errors.js';
import { approveOrder } from './orders.js';
import { settleCapture } from './payments.js';
import { handle } from './router.js';
import { ServerState } from './state.js';
import type { PayPalScriptedAnswer, PayPalSettle, PayPalSignRequest, PayPalWebhookEndpoint } from './types.js';
import { signDelivery } from './webhooks.js';

export * from './types.js';

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function write(res: ServerResponse, answer: PayPalAnswer): void {
  const html = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': html ? 'text/html' : 'application/json', ...answer.headers });
  res.end(answer.body === undefined ? '' : html ? answer.body : JSON.stringify(answer.body));
}

const noContent: PayPalAnswer = { status: 204, body: undefined };

/** The approval page PayPal shows the buyer; its buttons post to `/__approve/{id}`. */
function approvalPage(orderId: string): PayPalAnswer {
  const form = (label: string, field = '') =>
    `<form method="post" action="/__approve/${orderId}">${field}<button>${label}</button></form>`;
  return {
    status: 200,
    body: `<!doctype html><title>PayPal (local)</title><h1>Pay order ${orderId}</h1>${form('Pay')}${form(
      'Pay, then have the capture declined',
      '<input type="hidden" name="decline" value="true">',
    )}${form('Pay by eCheck (capture pending)', '<input type="hidden" name="pending" value="true">')}`,
  };
}

/** Approval by the page's form (form-encoded) or a test (JSON). */
function approve(state: ServerState, orderId: string, raw: string, contentType: string): PayPalAnswer {
  const owner = state.orderOwners.get(orderId);
  const record = owner === undefined ? undefined : state.get(owner).orders.get(orderId);
  if (owner === undefined || !record) return notFound('order', orderId);
  const fields = contentType.includes('json')
    ? ((raw ? JSON.parse(raw) : {}) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  const flag = (v: unknown) => v === true || v === 'true';
  const answer = approveOrder(state.get(owner), record, {
    decline: flag(fields.decline),
    pending: flag(fields.pending),
  });
  if (contentType.includes('json') || answer.status !== 200) return answer;
  return { status: 200, body: `<!doctype html><p>Order ${orderId} approved: you may close this page.</p>` };
}

function control(state: ServerState, method: string, url: URL, raw: string, headers: Record<string, string>) {
  const clientId = url.searchParams.get('ns') ?? '';
  const ns = state.get(clientId);
  const approval = /^\/__approve\/([A-Z0-9]+)$/.exec(url.pathname);
  if (method === 'POST' && approval?.[1]) return approve(state, approval[1], raw, headers['content-type'] ?? '');
  const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
  switch (`${method} ${url.pathname}`) {
    case 'GET /__events': {
      const type = url.searchParams.get('type');
      return ok(ns.events.filter((e) => !type || e.event_type === type));
    }
    case 'POST /__script':
      ns.scripts.push(...((body.answers ?? []) as PayPalScriptedAnswer[]));
      return noContent;
    case 'POST /__settle':
      return settleCapture(ns, body as unknown as PayPalSettle);
    case 'POST /__expire-tokens':
      state.expireTokens(clientId);
      return noContent;
    case 'GET /__tokens':
      return ok({ issued: ns.tokensIssued });
    case 'POST /__webhook-endpoints':
      ns.endpoints.push(body as unknown as PayPalWebhookEndpoint);
      return noContent;
    case 'GET /__deliveries':
      return ok(ns.deliveries);
    case 'POST /__sign': {
      const { webhookId, event, transmissionTime } = body as unknown as PayPalSignRequest;
      return ok(signDelivery(state.signingKey, state.origin, JSON.stringify(event), webhookId, transmissionTime));
    }
    case 'POST /__sink':
      ns.sink.push({ headers, body: raw });
      return ok({ received: true });
    case 'GET /__sink':
      return ok(ns.sink);
    case 'POST /__reset':
      state.reset(url.searchParams.get('ns') ?? undefined);
      return noContent;
    default:
      return invalidRequest('INVALID_RESOURCE', `No control endpoint ${method} ${url.pathname}.`);
  }
}

/** Starts the server on 127.0.0.1, on `port` or a free one; `url` is its origin. */
export async function startPayPalServer(
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
      if (method === 'GET' && url.pathname === '/checkoutnow') {
        return write(res, approvalPage(url.searchParams.get('token') ?? ''));
      }
      if (url.pathname.startsWith('/__')) return write(res, control(state, method, url, body, headers));
      write(res, handle(state, { method, path: url.pathname, headers, body }));
    })().catch((err: unknown) =>
      write(res, { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: String(err), details: [] } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  return {
    url: state.origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
