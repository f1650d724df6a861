import { OnasisError } from './errors.js';
import type { components } from './schema.js';

export type SessionMode = 'bearer' | 'cookie';
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}
type SessionAnswer = components['schemas']['TokenPair'] | components['schemas']['CookieSession'];

interface KeeperOptions {
  mode: SessionMode;
  baseUrl: string;
  tokens: Tokens | null;
  onTokens?: ((tokens: Tokens | null) => void) | undefined;
  onSessionExpired?: (() => void) | undefined;
  /** Sends with the 429/503 retries and no session handling; rejects with `NETWORK_ERROR` when nothing answers. */
  send: (request: Request) => Promise<Response>;
  newKey: () => string;
}

/**
 * The session's tokens (bearer mode) and their renewal. Refresh tokens rotate on every use and a reused one ends
 * the session, so however many calls meet an expired access token at once, exactly one refresh goes out and the
 * others wait for it. `generation` counts the session's changes (sign-in, refresh, sign-out): a call that failed
 * with a token older than the current one retries at once instead of refreshing again.
 */
export class SessionKeeper {
  generation = 0;
  #current: Tokens | null;
  #renewing: Promise<boolean> | null = null;
  // Set by a refused refresh or a sign-out, cleared by a sign-in: until then a 401 is final, so the calls that
  // arrive after the refusal neither present the spent refresh token again nor report the expiry a second time.
  #over = false;

  constructor(private readonly options: KeeperOptions) {
    this.#current = options.tokens;
  }

  accessToken(): string | null {
    return this.#current?.accessToken ?? null;
  }

  tokens(): Tokens | null {
    return this.#current;
  }

  signedIn(answer: SessionAnswer): void {
    this.generation++;
    this.#over = false;
    if ('accessToken' in answer) this.#set({ accessToken: answer.accessToken, refreshToken: answer.refreshToken });
  }

  signedOut(): void {
    this.generation++;
    this.#over = true;
    if (this.options.mode === 'bearer') this.#set(null);
  }

  /**
   * After a 401 to a call sent in generation `seen`: true when the call may be sent again (the session was renewed,
   * by this call or by another since), false when the session is over. `force` (an explicit `refresh()`) refreshes
   * even after an earlier refusal. Rejects with the refresh's error when it failed without a verdict (network, 5xx).
   */
  renew(seen: number, force = false): Promise<boolean> {
    if (this.#renewing) return this.#renewing;
    if (!force && this.#over) return Promise.resolve(false);
    if (!force && this.generation !== seen) return Promise.resolve(true);
    const renewing = this.#refresh().finally(() => {
      this.#renewing = null;
    });
    this.#renewing = renewing;
    return renewing;
  }

  async #refresh(): Promise<boolean> {
    const bearer = this.options.mode === 'bearer';
    const refreshToken = this.#current?.refreshToken;
    if (bearer && !refreshToken) return false;
    const started = this.generation;
    const init: RequestInit = {
      method: 'POST',
      // A refresh answered 429/503 and sent again must present the same request, as the gateway keys it.
      headers: { 'content-type': 'application/json', 'idempotency-key': this.options.newKey() },
      body: JSON.stringify(bearer ? { refreshToken } : { cookie: true }),
    };
    // The refresh cookie goes only with `include`; bearer mode has no cookie to send and keeps the default.
    if (!bearer) init.credentials = 'include';
    const response = await this.options.send(new Request(`${this.options.baseUrl}/auth/refresh`, init));
    if (this.generation !== started) {
      // A sign-in or sign-out happened meanwhile and decides: its tokens are not to be overwritten by older ones.
      await response.body?.cancel();
      return !this.#over;
    }
    if (response.ok) {
      this.signedIn((await response.json()) as SessionAnswer);
      return true;
    }
    // 429 and 5xx (after their retries) say nothing about the session: it stays, and the waiting calls learn why.
    if (response.status === 429 || response.status >= 500) throw await OnasisError.from(response);
    await response.body?.cancel();
    this.#over = true;
    if (bearer) this.#set(null);
    this.options.onSessionExpired?.();
    return false;
  }

  #set(tokens: Tokens | null): void {
    this.#current = tokens;
    this.options.onTokens?.(tokens);
  }
}
