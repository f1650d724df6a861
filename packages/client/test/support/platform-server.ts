import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenStore } from './token-store.js';

/** One request as the server saw it. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  cookie: string | undefined;
  body: Record<string, unknown> | null;
}

/** An answer the test chose for the next call to a route, ahead of the route's own. */
export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as problem+json (status ≥ 400) or JSON; a string as text/html. */
  body?: object | string;
}

/** What the route handlers answer; `cookies` become Set-Cookie headers. */
export interface Answer {
  status: number;
  body?: object;
  cookies?: string[];
}

type Handler = (seen: Seen, store: TokenStore) => Answer | Promise<Answer>;

/** A problem+json body as the platform writes it. */
export function problem(status: number, code: string, detail: string, requestId = 'req_test'): object {
  return { type: `https://onasis.dev/problems/${code.toLowerCase()}`, title: code, status, code, detail, requestId };
}

/**
 * A local HTTP server that speaks the platform's wire format: problem+json errors with `X-Request-Id`, lists as
 * `{ data, nextCursor }`, sign-in with MFA, tokens in the body or in `__Host-` cookies, and refresh-token
 * rotation that refuses a spent refresh token. Tests script answers ahead of the routes (429, 503, HTML pages),
 * hold requests at a gate, and read back every request it saw.
 */
export async function startPlatformServer(routes: Record<string, Handler>) {
  const seen: Seen[] = [];
  const scripts = new Map<string, Scripted[]>();
  const gates = new Map<string, Promise<void>>();
  const store = new TokenStore();
  let requestCount = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: Seen = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      idempotencyKey: header(req, 'idempotency-key'),
      cookie: req.headers.cookie,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
    seen.push(request);
    const route = `${request.method} ${request.path}`;
    const requestId = `req_${++requestCount}`;
    res.setHeader('x-request-id', requestId);
    await gates.get(route);
    const scripted = scripts.get(route)?.shift();
    if (scripted) return send(res, scripted.status, scripted.body, scripted.headers);
    const handler = routes[route];
    if (!handler) return send(res, 404, problem(404, 'NOT_FOUND', `No route ${route}.`, requestId));
    const answer = await handler(request, store);
    for (const cookie of answer.cookies ?? []) res.appendHeader('set-cookie', cookie);
    const body = answer.body && 'code' in answer.body ? { ...answer.body, requestId } : answer.body;
    send(res, answer.status, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, problem(500, 'INTERNAL', String(err))));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    store,
    /** Every request so far, or those of one route (`'POST /auth/refresh'`). */
    seen: (route?: string) => (route ? seen.filter((s) => `${s.method} ${s.path}` === route) : [...seen]),
    /** The next calls to `route` get these answers, in order, before the route answers again. */
    script: (route: string, ...answers: Scripted[]) => scripts.set(route, [...(scripts.get(route) ?? []), ...answers]),
    /** Holds every call to `route` until the returned function is called. */
    hold(route: string): () => void {
      let open = () => {};
      gates.set(
        route,
        new Promise<void>((resolve) => {
          open = resolve;
        }),
      );
      return () => {
        gates.delete(route);
        open();
      };
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export type PlatformServer = Awaited<ReturnType<typeof startPlatformServer>>;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body?: object | string, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) return void res.writeHead(status).end();
  if (typeof body === 'string') return void res.writeHead(status, { 'content-type': 'text/html' }).end(body);
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}
