import type { Seen } from './platform-server.js';

interface Issued {
  userId: string;
  family: number;
  live: boolean;
}

/**
 * The platform's session rules, small: access tokens that the test can expire at once, and refresh tokens that
 * rotate on every use, where presenting a spent one revokes its whole session (no grace period here, so a second
 * refresh of the same token shows up as a failure).
 */
export class TokenStore {
  #counter = 0;
  readonly access = new Map<string, Issued>();
  readonly refresh = new Map<string, Issued>();
  readonly revokedFamilies = new Set<number>();

  /** A new session's tokens for `userId`. */
  signIn(userId: string): { accessToken: string; refreshToken: string } {
    return this.#issue(userId, ++this.#counter);
  }

  /** The refresh token's successor, or why there is none. */
  rotate(token: string): { tokens: { accessToken: string; refreshToken: string } } | { refused: string } {
    const issued = this.refresh.get(token);
    if (!issued || this.revokedFamilies.has(issued.family)) return { refused: 'INVALID_REFRESH_TOKEN' };
    if (!issued.live) {
      this.revokedFamilies.add(issued.family);
      return { refused: 'REFRESH_TOKEN_REUSED' };
    }
    issued.live = false;
    return { tokens: this.#issue(issued.userId, issued.family) };
  }

  /** Every access token issued so far stops working, as when they all reach their expiry. */
  expireAccessTokens(): void {
    for (const issued of this.access.values()) issued.live = false;
  }

  /** The user a request's bearer token or `__Host-onasis_at` cookie stands for, if it is still good. */
  userOf(seen: Seen): string | null {
    const token = seen.authorization?.replace(/^Bearer /, '') ?? cookieOf(seen, '__Host-onasis_at');
    const issued = token === undefined ? undefined : this.access.get(token);
    if (!issued?.live || this.revokedFamilies.has(issued.family)) return null;
    return issued.userId;
  }

  /** Ends the session the request's access token belongs to. */
  revoke(seen: Seen): void {
    const token = seen.authorization?.replace(/^Bearer /, '') ?? cookieOf(seen, '__Host-onasis_at');
    const issued = token === undefined ? undefined : this.access.get(token);
    if (issued) this.revokedFamilies.add(issued.family);
  }

  #issue(userId: string, family: number) {
    const n = ++this.#counter;
    const tokens = { accessToken: `at_${n}`, refreshToken: `rt_${n}` };
    this.access.set(tokens.accessToken, { userId, family, live: true });
    this.refresh.set(tokens.refreshToken, { userId, family, live: true });
    return tokens;
  }
}

/** The value of cookie `name` that the request carried. */
export function cookieOf(seen: Seen, name: string): string | undefined {
  for (const part of (seen.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The two `__Host-` session cookies of a sign-in in cookie mode. */
export function sessionCookies(tokens: { accessToken: string; refreshToken: string }): string[] {
  return [
    `__Host-onasis_at=${tokens.accessToken}; Path=/; Secure; HttpOnly; SameSite=Lax`,
    `__Host-onasis_rt=${tokens.refreshToken}; Path=/; Secure; HttpOnly; SameSite=Strict`,
  ];
}
