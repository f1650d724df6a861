import createFetchClient, { type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import { OnasisError, type Problem } from './errors.js';
import { type RetryOptions, retryDelay, sleep } from './retry.js';
import type { components, paths } from './schema.js';
import { SessionKeeper, type SessionMode, type Tokens } from './session.js';

export interface OnasisClientOptions {
  /** The gateway's origin, for example `https://api.example.com`. Browsers on the platform's own pages: omit it. */
  baseUrl?: string;
  /**
   * `bearer` (default): the client holds the tokens and sends `Authorization`. `cookie`: the platform's HttpOnly
   * `__Host-` cookies hold them and no token ever reaches JavaScript (browsers on the platform's origin).
   */
  session?: SessionMode;
  /** Bearer mode: tokens from an earlier sign-in, to carry on with. */
  tokens?: Tokens | null;
  /** Bearer mode: called whenever the tokens change (sign-in, rotation, sign-out: null), to persist them as you choose. */
  onTokens?: (tokens: Tokens | null) => void;
  /** Called once the session can no longer be renewed (refresh refused): time to sign in again. */
  onSessionExpired?: () => void;
  /** An API key (`onk_…`) instead of a session: sent as a bearer token, never refreshed. */
  apiKey?: string;
  retry?: RetryOptions;
  /** The fetch to use (default: the global one at call time). */
  fetch?: typeof globalThis.fetch;
}

type InitParam<Init> = RequiredKeysOf<Init> extends never ? [Init?] : [Init];
type Media = `${string}/${string}`;
/** What a successful call resolves to: the parsed JSON body (undefined for 204). */
export type DataOf<R> = R extends { data: infer D } ? Exclude<D, undefined> : never;

/** The parsed 2xx body of operation `Op` called with `I`. */
type Answer<Op, I> = Op extends Record<string | number, unknown> ? DataOf<FetchResponse<Op, I, Media>> : never;
type Method<M extends HttpMethod> = <P extends PathsWithMethod<paths, M>, I extends MaybeOptionalInit<paths[P], M>>(
  url: P,
  ...init: InitParam<I>
) => Promise<Answer<paths[P][M], I>>;

type GetData<P extends keyof paths> = Answer<paths[P]['get'], object>;
/** Paths whose GET answers a `{ data, nextCursor }` page. */
type PagedPath = {
  [P in PathsWithMethod<paths, 'get'>]: GetData<P> extends { data: unknown[]; nextCursor: string | null } ? P : never;
}[PathsWithMethod<paths, 'get'>];
type ItemOf<P extends PagedPath> = GetData<P> extends { data: (infer T)[] } ? T : never;

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AUTH_PATHS = /\/auth\/(login|refresh|logout|mfa\/verify|register)$/;

export type SignInResult = { mfaRequired: true; mfaToken: string } | { mfaRequired: false };
type TokenAnswer = components['schemas']['TokenPair'] | components['schemas']['CookieSession'];

/** The platform's typed client: see the README of `@onasis/client`. */
export function createOnasisClient(options: OnasisClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const mode: SessionMode = options.session ?? 'bearer';
  const retry: Required<RetryOptions> = { retries: 2, baseDelayMs: 250, maxDelayMs: 30_000, ...options.retry };
  const fetchImpl = (input: Request) => (options.fetch ?? globalThis.fetch)(input);
  const session = new SessionKeeper({
    mode,
    baseUrl,
    tokens: options.tokens ?? null,
    onTokens: options.onTokens,
    onSessionExpired: options.onSessionExpired,
    send: (request) => sendWithRetries(request),
  });

  function authorise(request: Request): Request {
    if (request.headers.has('authorization')) return request;
    const token = options.apiKey ?? session.accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  }

  /** One request with its 429/503 retries; the caller's Request stays unread for later attempts. */
  async function sendWithRetries(request: Request): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetchImpl(authorise(request.clone()));
      const wait = retryDelay(response, attempt, retry);
      if (wait === null) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  }

  /** Every call goes through here: idempotency key, credentials, retries, and one refresh on an expired session. */
  async function send(input: Request): Promise<Response> {
    let request = input;
    if (mode === 'cookie' && request.credentials !== 'include')
      request = new Request(request, { credentials: 'include' });
    // One key per logical call, reused by every retry below, so the gateway applies a mutation at most once.
    if (MUTATIONS.has(request.method) && !request.headers.has('idempotency-key')) {
      request.headers.set('idempotency-key', crypto.randomUUID());
    }
    const generation = session.generation;
    const response = await sendWithRetries(request);
    if (response.status !== 401 || options.apiKey || AUTH_PATHS.test(new URL(request.url).pathname)) return response;
    if (!(await session.renew(generation))) return response;
    await response.body?.cancel();
    return sendWithRetries(request);
  }

  const raw = createFetchClient<paths>({ baseUrl, fetch: send });

  function method<M extends HttpMethod>(name: Uppercase<M>): Method<M> {
    return (async (url: string, init?: Record<string, unknown>) => {
      const { data, error, response } = await (
        raw.request as (
          m: string,
          u: string,
          i?: object,
        ) => Promise<{ data?: unknown; error?: unknown; response: Response }>
      )(name.toLowerCase(), url, init);
      if (!response.ok) throw errorOf(response, error);
      return data;
    }) as Method<M>;
  }

  const GET = method<'get'>('GET');
  const POST = method<'post'>('POST');

  return {
    GET,
    POST,
    PUT: method<'put'>('PUT'),
    PATCH: method<'patch'>('PATCH'),
    DELETE: method<'delete'>('DELETE'),
    /** openapi-fetch itself, for answers that are not JSON (file contents, CSV): `{ data, error, response }`. */
    raw,

    /**
     * Every item of a cursor-paginated list, page after page, as an async iterator (`for await`); `init` as for GET.
     * Stops early when the loop does.
     */
    async *paginate<P extends PagedPath>(url: P, init?: MaybeOptionalInit<paths[P], 'get'>): AsyncGenerator<ItemOf<P>> {
      let cursor: string | undefined;
      do {
        const params = (init as { params?: { query?: object } } | undefined)?.params;
        const page = (await (GET as (u: string, i: object) => Promise<unknown>)(url, {
          ...init,
          params: { ...params, query: { ...params?.query, ...(cursor ? { cursor } : {}) } },
        })) as { data: ItemOf<P>[]; nextCursor: string | null };
        yield* page.data;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** Password sign-in; answers `mfaRequired` with the token to pass to `verifyMfa` when a second factor is due. */
    async signIn(credentials: { email: string; password: string }): Promise<SignInResult> {
      const answer = await POST('/auth/login', { body: { ...credentials, cookie: mode === 'cookie' } });
      if ('mfaRequired' in answer) return { mfaRequired: true, mfaToken: answer.mfaToken };
      session.signedIn(answer as TokenAnswer);
      return { mfaRequired: false };
    },

    /** The second step of a sign-in: a TOTP or recovery code. */
    async verifyMfa(input: { mfaToken: string; code: string }): Promise<void> {
      const answer = await POST('/auth/mfa/verify', { body: { ...input, cookie: mode === 'cookie' } });
      session.signedIn(answer);
    },

    /** Ends this session on the server (best effort) and forgets its tokens. */
    async signOut(): Promise<void> {
      try {
        await POST('/auth/logout', {});
      } finally {
        session.signedOut();
      }
    },

    /** Renews the session now; concurrent callers share one refresh. False when the session is over. */
    refresh: () => session.renew(session.generation),
    /** Bearer mode: the current tokens (null when signed out). */
    tokens: () => session.tokens(),
  };
}

export type OnasisClient = ReturnType<typeof createOnasisClient>;

function errorOf(response: Response, body: unknown): OnasisError {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') {
    return new OnasisError(response.status, body as Problem);
  }
  return new OnasisError(response.status, null, {
    requestId: response.headers.get('x-request-id'),
    message: typeof body === 'string' && body.length < 200 ? body : response.statusText || undefined,
  });
}
