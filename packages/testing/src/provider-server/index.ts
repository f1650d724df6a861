/// <reference types="node" />
// A local stand-in for the notification providers' APIs (Resend, Twilio, Google OAuth + FCM, a Web Push service,
// Slack), speaking each one's wire format so that the Worker's real clients can be tested against it. Every path
// may start with a namespace segment (`/ns-<anything>/…`): tests in parallel files pass different base URLs and
// never see each other's requests, scripts or counters.
//
// Control endpoints (namespace as `?ns=`): `POST /__script` `{ provider, answers: ScriptedAnswer[] }` queues the
// next answers of a provider; `GET /__received?provider=`; `POST /__reset`; `POST /__google/service-accounts`
// `{ projectId }`; `POST /__webpush/subscriptions`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueServiceAccount } from './google.js';
import { type Answer, flatHeaders, type Incoming, json, readAll } from './http.js';
import { route } from './router.js';
import { ServerState } from './state.js';
import type { ProviderId, ScriptedAnswer } from './types.js';
import { createSubscription } from './webpush.js';

export * from './types.js';

const NAMESPACE = /^\/(ns-[A-Za-z0-9_-]+)(\/.*)?$/;

function write(res: ServerResponse, answer: Answer): void {
  const isText = typeof answer.body === 'string' || answer.body === undefined;
  res.writeHead(answer.status, {
    ...(!isText && { 'content-type': 'application/json; charset=utf-8' }),
    ...answer.headers,
  });
  res.end(isText ? (answer.body as string | undefined) : JSON.stringify(answer.body));
}

async function control(state: ServerState, req: IncomingMessage, url: URL, raw: Buffer): Promise<Answer> {
  const nsName = url.searchParams.get('ns') ?? 'default';
  const ns = state.get(nsName);
  const base = `http://${req.headers.host}${nsName === 'default' ? '' : `/${nsName}`}`;
  const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /__script': {
      const provider = body.provider as ProviderId;
      ns.scripts.set(provider, [...(ns.scripts.get(provider) ?? []), ...(body.answers as ScriptedAnswer[])]);
      return json(204, undefined);
    }
    case 'GET /__received': {
      const provider = url.searchParams.get('provider');
      return json(
        200,
        ns.received.filter((r) => !provider || r.provider === provider),
      );
    }
    case 'POST /__reset':
      state.reset(url.searchParams.get('ns') ?? undefined);
      return json(204, undefined);
    case 'POST /__google/service-accounts':
      return json(201, issueServiceAccount(ns, base, String(body.projectId ?? 'onasis-test')));
    case 'POST /__webpush/subscriptions':
      return json(201, createSubscription(ns, base));
    default:
      return json(404, { error: 'no such control endpoint' });
  }
}

/** Starts the server on a free port of 127.0.0.1; `url` is its origin. */
export async function startProviderServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const state = new ServerState();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const raw = await readAll(req);
      if (url.pathname.startsWith('/__')) return write(res, await control(state, req, url, raw));
      const match = NAMESPACE.exec(url.pathname);
      const nsName = match?.[1] ?? 'default';
      const incoming: Incoming = {
        method: req.method ?? 'GET',
        path: match ? (match[2] ?? '/') : url.pathname,
        base: `http://${req.headers.host}${match ? `/${nsName}` : ''}`,
        headers: flatHeaders(req),
        raw,
      };
      write(res, await route(incoming, state.get(nsName)));
    })().catch((err: unknown) => write(res, json(500, { error: String(err) })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
