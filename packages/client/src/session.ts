import type { components } from './schema.js';

export type SessionMode = 'bearer' | 'cookie';
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface KeeperOptions {
  mode: SessionMode;
  baseUrl: string;
  tokens: Tokens | null;
  onTokens?: ((tokens: Tokens | null) => void) | undefined;
  onSessionExpired?: (() => void) | undefined;
  send: (request: Request) => Promise<Response>;
}

/**
 * The session's tokens (bearer mode) and their renewal. Refresh tokens rotate on every use and a reused one ends
 * the session, so however many calls meet an expired access token at once, exactly one refresh goes out and the
 * others wait for it: `generation` tells a call that failed with an older token to retry at once instead.
 */
export class SessionKeeper {
  generation = 0;
  #current: Tokens | null;
  #renewing: Promise<boolean> | null = null;

  constructor(private readonly options: KeeperOptions) {
    this.#current = options.tokens;
  }

  accessToken(): string | null {
    return this.#current?.accessToken ?? null;
  }

  tokens(): Tokens | null {
    return this.#current;
  }

  signedIn(answer: components['schemas']['TokenPair'] | components['schemas']['CookieSession']): void {
    this.generation++;
    if ('accessToken' in answer) this.#set({ accessToken: answer.accessToken, refreshToken: answer.refreshToken });
  }

  signedOut(): void {
    this.generation++;
    if (this.options.mode === 'bearer') this.#set(null);
  }

  /** Renews the session unless a renewal already happened since `seen`; true when calls may go on. */
  renew(seen: number): Promise<boolean> {
    if (this.generation !== seen) return Promise.resolve(true);
    this.#renewing ??= this.#refresh().finally(() => {
      this.#renewing = null;
    });
    return this.#renewing;
  }

  async #refresh(): Promise<boolean> {
    const bearer = this.options.mode === 'bearer';
    if (bearer && !this.#current) return false;
    const request = new Request(`${this.options.baseUrl}/auth/refresh`, {
      method: 'POST',
      credentials: bearer ? 'same-origin' : 'include',
      // A refresh cut off mid-way and retried replays the first answer instead of presenting a spent token.
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(bearer ? { refreshToken: this.#current?.refreshToken } : { cookie: true }),
    });
    const response = await this.options.send(request).catch(() => null);
    if (!response?.ok) {
      // A network failure leaves the session as it was; a refusal ends it.
      if (response) {
        await response.body?.cancel();
        if (bearer) this.#set(null);
        this.options.onSessionExpired?.();
      }
      return false;
    }
    const answer = (await response.json()) as
      | components['schemas']['TokenPair']
      | components['schemas']['CookieSession'];
    this.signedIn(answer);
    return true;
  }

  #set(tokens: Tokens | null): void {
    this.#current = tokens;
    this.options.onTokens?.(tokens);
  }
}
