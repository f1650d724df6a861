import { OnasisError } from './errors.js';
import { type RetryOptions, retryDelay } from './retry.js';
import type { SessionKeeper, SessionMode } from './session.js';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that take credentials in their body: no bearer token goes with them and their 401 is final. */
const SIGN_IN_PATHS = /\/auth\/(login|refresh|register|mfa\/verify)$/;
/** Where a 429 is a lockout against guessing: waiting and sending the same guess again would only extend it. */
const GUESS_PATHS = /\/auth\/(login|mfa\/verify)$/;

/** How the client waits and tells the time; tests replace both to see the delays asked for without waiting. */
export interface Clock {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

export interface TransportOptions {
  mode: SessionMode;
  apiKey: string | undefined;
  retry: Required<RetryOptions>;
  fetch: typeof globalThis.fetch | undefined;
  onRequest: ((request: Request) => void) | undefined;
  clock: Clock;
}

/** One attempt's answer and the session generation whose token it carried. */
interface Sent {
  response: Response;
  generation: number;
}

/** A fresh Idempotency-Key; `randomUUID` needs a secure context, `getRandomValues` does not. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The fetch every call goes through: an Idempotency-Key per mutation, the session's credentials, retries on
 * 429/503, and one resend after the session was renewed. `plain` is the same without the session handling (the
 * refresh itself goes through it).
 */
export function createTransport(options: TransportOptions, session: SessionKeeper) {
  async function attempt(request: Request): Promise<Sent> {
    const sent = request.clone();
    const generation = session.generation;
    const token = options.apiKey ?? session.accessToken();
    if (token && !sent.headers.has('authorization') && !SIGN_IN_PATHS.test(new URL(sent.url).pathname)) {
      sent.headers.set('authorization', `Bearer ${token}`);
    }
    options.onRequest?.(sent);
    try {
      return { response: await (options.fetch ?? globalThis.fetch)(sent), generation };
    } catch (err) {
      // The caller's own abort stays an AbortError; anything else is a request that got no answer.
      if (request.signal.aborted) throw err;
      throw OnasisError.network(err);
    }
  }

  /** Attempts until an answer is final; every attempt is a copy, so the caller's Request stays unread. */
  async function withRetries(request: Request): Promise<Sent> {
    for (let n = 0; ; n++) {
      const sent = await attempt(request);
      if (sent.response.status === 429 && GUESS_PATHS.test(new URL(request.url).pathname)) return sent;
      const wait = retryDelay(sent.response, n, options.retry, options.clock.now());
      if (wait === null) return sent;
      await sent.response.body?.cancel();
      await options.clock.sleep(wait, request.signal);
    }
  }

  /** Whether the gateway refused the call's credentials (and not, say, a wrong password in its body). */
  async function needsRenewal(request: Request, response: Response): Promise<boolean> {
    if (response.status !== 401 || options.apiKey || SIGN_IN_PATHS.test(new URL(request.url).pathname)) return false;
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { code?: unknown } | null;
    return body?.code === 'UNAUTHENTICATED';
  }

  async function send(input: Request): Promise<Response> {
    let request = input;
    if (options.mode === 'cookie' && request.credentials !== 'include') {
      request = new Request(request, { credentials: 'include' });
    }
    // One key per logical call, reused by every attempt below (retries and the resend after a refresh), so the
    // gateway applies a mutation at most once however often it is sent; a key the caller chose is kept.
    if (MUTATIONS.has(request.method) && !request.headers.has('idempotency-key')) {
      request.headers.set('idempotency-key', newIdempotencyKey());
    }
    const first = await withRetries(request);
    if (!(await needsRenewal(request, first.response))) return first.response;
    let renewed: boolean;
    try {
      renewed = await session.renew(first.generation);
    } catch (err) {
      await first.response.body?.cancel();
      throw err;
    }
    if (!renewed) return first.response;
    await first.response.body?.cancel();
    // Once only: a 401 to the renewed session is the answer.
    return (await withRetries(request)).response;
  }

  return { send, plain: async (request: Request) => (await withRetries(request)).response };
}
