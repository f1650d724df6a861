import { ACCESS_TOKEN_TTL_SECONDS, SESSION_COOKIES } from '@onasis/contracts';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../context.js';
import { SESSION_ABSOLUTE_MS, TRUSTED_DEVICE_MS } from '../durable-objects/user-sessions.js';
import { DEVICE_COOKIE } from './device.js';
import type { TokenPair } from './sessions.js';

/** What a cookie-mode sign-in answers: the tokens went into cookies, never into the body. */
export interface CookieSession {
  tokenType: 'Cookie';
  expiresIn: number;
}

/**
 * Puts a session's tokens into `__Host-` cookies (HttpOnly, Secure, Path=/) and returns the body that replaces
 * them. The refresh cookie is SameSite=Strict: no request from another site carries it.
 */
function setSessionCookies(c: Context<AppEnv>, tokens: TokenPair): CookieSession {
  const base = { prefix: 'host', path: '/', secure: true, httpOnly: true } as const;
  setCookie(c, SESSION_COOKIES.access, tokens.accessToken, {
    ...base,
    sameSite: 'Lax',
    maxAge: ACCESS_TOKEN_TTL_SECONDS,
  });
  setCookie(c, SESSION_COOKIES.refresh, tokens.refreshToken, {
    ...base,
    sameSite: 'Strict',
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
  c.header('cache-control', 'no-store');
  return { tokenType: 'Cookie', expiresIn: tokens.expiresIn };
}

/** The refresh token a browser holds in its cookie, if any. */
export function refreshCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIES.refresh, 'host');
}

/** Expires both session cookies (sign-out); harmless when the client never had them. */
export function clearSessionCookies(c: Context<AppEnv>): void {
  for (const name of [SESSION_COOKIES.access, SESSION_COOKIES.refresh]) {
    deleteCookie(c, name, { prefix: 'host', path: '/', secure: true });
  }
}

/** Answers a new session as JSON tokens, or as cookies when the client asked for them. */
export function answerSession(c: Context<AppEnv>, tokens: TokenPair, cookie: boolean | undefined) {
  // Tokens must not be kept by any cache on the way (RFC 6749 §5.1); the gateway's idempotency store honours it too.
  c.header('cache-control', 'no-store');
  return cookie ? setSessionCookies(c, tokens) : tokens;
}

/** The device cookie a browser presented, if any (see `trustThisDevice` in services/sign-in-attempt.ts). */
export function deviceCookie(c: Context<AppEnv>): string | undefined {
  const value = getCookie(c, DEVICE_COOKIE, 'host');
  return value !== undefined && /^[A-Za-z0-9_-]{32,64}$/.test(value) ? value : undefined;
}

/**
 * Sets the device cookie of a successful sign-in: HttpOnly and SameSite=Strict, for as long as the device stays
 * trusted. It names no user and carries no authority beyond the lockout exemption.
 */
export function setDeviceCookie(c: Context<AppEnv>, value: string): void {
  setCookie(c, DEVICE_COOKIE, value, {
    prefix: 'host',
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: TRUSTED_DEVICE_MS / 1000,
  });
}
