import createFetchClient from 'openapi-fetch';
import type { HttpMethod } from 'openapi-typescript-helpers';
import { OnasisError } from './errors.js';
import { DEFAULT_RETRY, type RetryOptions, sleep } from './retry.js';
import type { components, paths } from './schema.js';
import { SessionKeeper, type SessionMode, type Tokens } from './session.js';
import { type Clock, createTransport, newIdempotencyKey } from './transport.js';
import type { GetInit, ItemOf, Method, PagedPath } from './types.js';

export type { DataOf } from './types.js';

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
  /** Sees every request just before it goes out, each retry too (to add a header, or to log). */
  onRequest?: (request: Request) => void;
}

export type SignInResult = { mfaRequired: true; mfaToken: string } | { mfaRequired: false };
type TokenAnswer = components['schemas']['TokenPair'] | components['schemas']['CookieSession'];
type RawRequest = (method: string, url: string, init?: object) => Promise<{ error?: unknown; response: Response }>;

const realClock: Clock = { sleep, now: () => Date.now() };

/**
 * The platform's typed client: see the README of `@onasis/client`. `clock` is for tests (the delays asked for,
 * without waiting them).
 */
export function createOnasisClient(options: OnasisClientOptions = {}, clock: Clock = realClock) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const mode: SessionMode = options.session ?? 'bearer';
  const session = new SessionKeeper({
    mode,
    baseUrl,
    tokens: options.tokens ?? null,
    onTokens: options.onTokens,
    onSessionExpired: options.onSessionExpired,
    send: (request) => transport.plain(request),
    newKey: newIdempotencyKey,
  });
  const transport = createTransport(
    {
      mode,
      apiKey: options.apiKey,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      fetch: options.fetch,
      onRequest: options.onRequest,
      clock,
    },
    session,
  );
  const raw = createFetchClient<paths>({ baseUrl, fetch: transport.send });

  function method<M extends HttpMethod>(name: M): Method<M> {
    return (async (url: string, init?: object) => {
      let answer: { data?: unknown; error?: unknown; response: Response };
      try {
        answer = await (raw.request as RawRequest)(name, url, init);
      } catch (err) {
        // One error class for callers: a 2xx whose body is not the JSON it claims is a broken answer, not a bug.
        if (err instanceof SyntaxError) throw new OnasisError(0, null, { code: 'INVALID_RESPONSE', cause: err });
        throw err;
      }
      if (!answer.response.ok) throw OnasisError.of(answer.response, answer.error);
      return answer.data;
    }) as Method<M>;
  }

  const GET = method('get');
  const POST = method('post');

  return {
    GET,
    POST,
    PUT: method('put'),
    PATCH: method('patch'),
    DELETE: method('delete'),
    /** openapi-fetch itself, for answers that are not JSON (file contents, CSV): `{ data, error, response }`. */
    raw,

    /**
     * Every item of a cursor-paginated list, page after page, as an async iterator (`for await`); `init` as for GET.
     * Stops early when the loop does: no page is fetched that the loop does not reach.
     */
    async *paginate<P extends PagedPath>(url: P, init?: GetInit<P>): AsyncGenerator<ItemOf<P>, void, undefined> {
      const params = (init as { params?: { query?: object } } | undefined)?.params;
      let cursor: string | null = null;
      do {
        const query: object = { ...params?.query, ...(cursor === null ? {} : { cursor }) };
        const page = (await (GET as (u: string, i: object) => Promise<unknown>)(url, {
          ...init,
          params: { ...params, query },
        })) as { data: ItemOf<P>[]; nextCursor: string | null };
        yield* page.data;
        cursor = page.nextCursor;
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

    /**
     * Ends this session on the server and forgets its tokens. The session is forgotten locally whatever happens;
     * a 401 (nothing left to end) resolves, any other failure rejects after that.
     */
    async signOut(): Promise<void> {
      try {
        await POST('/auth/logout', {});
      } catch (err) {
        if (!(err instanceof OnasisError && err.status === 401)) throw err;
      } finally {
        session.signedOut();
      }
    },

    /** Renews the session now; concurrent callers share one refresh. False when the session is over. */
    refresh: () => session.renew(session.generation, true),
    /** Bearer mode: the current tokens (null when signed out). */
    tokens: () => session.tokens(),
  };
}

export type OnasisClient = ReturnType<typeof createOnasisClient>;
