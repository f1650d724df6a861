import type { ForwardedRequest, ForwardedResponse, RequestMeta, ServiceName } from '@onasis/contracts';

const BINDING_OF = {
  identity: 'IDENTITY',
  payments: 'PAYMENTS',
  notifications: 'NOTIFICATIONS',
  analytics: 'ANALYTICS',
  files: 'FILES',
  jobs: 'JOBS',
} as const satisfies Record<ServiceName, keyof GatewayEnv>;

/** The service binding of a domain Worker; a missing one is a deployment mistake, not a client's. */
export function bindingOf<S extends ServiceName>(
  env: GatewayEnv,
  service: S,
): NonNullable<GatewayEnv[(typeof BINDING_OF)[S]]> {
  const binding = env[BINDING_OF[service]];
  if (!binding) throw new Error(`service binding ${BINDING_OF[service]} is not configured`);
  return binding as NonNullable<GatewayEnv[(typeof BINDING_OF)[S]]>;
}

/** The two hops of `DomainEntrypoint`: plain values for bodies the gateway holds whole, a `Request` for streams. */
interface Forwarding {
  // RPC's types see a list of pairs as a list of lists.
  serve(
    request: ForwardedRequest,
    meta: RequestMeta,
  ): Promise<Omit<ForwardedResponse, 'headers'> & { headers: string[][] }>;
  handle(request: Request, meta: RequestMeta): Promise<Response>;
}

/** What `forward` hands a service: the request as plain values, or (`stream`) as a Request whose body streams on. */
export type Hop = { values: ForwardedRequest; url: string } | { stream: Request };

// workerd's answer when an entrypoint has no method of that name: the call never ran, so trying `handle` is safe.
const NOT_IMPLEMENTED = /does not implement the method/;

/**
 * Forwards a request over the service binding and answers a Response whose headers the gateway may change.
 * A service deployed before `serve` existed (a rollback, or a deploy out of order) answers only `handle`: the
 * request then goes as a Request, as it did before.
 */
export async function forward(binding: Forwarding, hop: Hop, meta: RequestMeta): Promise<Response> {
  if ('stream' in hop) return mutable(await binding.handle(hop.stream, meta));
  if (typeof binding.serve === 'function') {
    try {
      return responseOf(await binding.serve(hop.values, meta));
    } catch (err) {
      if (!(err instanceof Error && NOT_IMPLEMENTED.test(err.message))) throw err;
    }
  }
  const { method, headers, body } = hop.values;
  return mutable(await binding.handle(new Request(hop.url, { method, headers, body }), meta));
}

// Responses from RPC have immutable headers; copying is what lets the gateway add its own and drop internal ones.
function mutable(response: Response): Response {
  return new Response(response.body, response);
}

function responseOf(answer: Awaited<ReturnType<Forwarding['serve']>>): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Thrown by `withTimeout` when the deadline passes first. */
export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Settles with `promise`, or rejects with `TimeoutError` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
