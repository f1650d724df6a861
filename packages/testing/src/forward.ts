import type { ForwardedRequest, ForwardedResponse, Principal, RequestMeta } from '@onasis/contracts';

/** The `traceparent` tests hand a domain Worker, as the gateway would propagate a client's. */
export const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A request as a test writes it: `json`, when given, is the body, with its content type and (by default) POST. */
export type CallInit = RequestInit & { json?: unknown };

/** What the gateway tells a domain Worker besides the request: the verified caller, the client's IP, the request id. */
export interface CallContext {
  principal?: Principal;
  clientIp?: string;
  /** `request.cf.country` as the gateway passes it on. */
  country?: string;
  requestId?: string;
}

/** The two hops of a domain Worker's RPC entrypoint: plain values, or a `Request` whose body streams. */
export interface ForwardTarget {
  // RPC's types see a list of pairs as a list of lists.
  serve(
    request: ForwardedRequest,
    meta: RequestMeta,
  ): Promise<Omit<ForwardedResponse, 'headers'> & { headers: string[][] }>;
  handle(request: Request, meta: RequestMeta): Promise<Response>;
}

/** Sends a request to a domain Worker the way the gateway forwards it (see `forwardTo`). */
export type Call = (path: string, init?: CallInit, context?: CallContext) => Promise<Response>;

/**
 * A `call(path, init, context)` that sends requests to the domain Worker `entrypoint()` answers for (read on each call,
 * so a test module can name `exports.<Domain>Service` before the Worker is up) the way the gateway forwards them: over
 * RPC, as plain values through `serve` (a `ReadableStream` body, as an upload, streams through `handle`), with a fresh
 * request id unless one is given and the principal and client IP the gateway would hand over.
 */
export function forwardTo(host: string, entrypoint: () => ForwardTarget): Call {
  return async (path, init = {}, context = {}) => {
    const { json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (json !== undefined) headers.set('content-type', 'application/json');
    const request = new Request(`http://${host}${path}`, {
      ...rest,
      method: rest.method ?? (json === undefined ? 'GET' : 'POST'),
      headers,
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
    const meta: RequestMeta = {
      requestId: context.requestId ?? `req_${crypto.randomUUID().replaceAll('-', '')}`,
      traceparent: TRACEPARENT,
      principal: context.principal,
      clientIp: context.clientIp,
      country: context.country,
    };
    if (rest.body instanceof ReadableStream) return entrypoint().handle(request, meta);
    const url = new URL(request.url);
    const values: ForwardedRequest = {
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: [...request.headers],
      body: request.body === null ? null : await request.text(),
    };
    const answer = await entrypoint().serve(values, meta);
    return new Response(answer.body, { status: answer.status, headers: answer.headers as [string, string][] });
  };
}
