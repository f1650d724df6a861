import { SESSION_COOKIES } from '@onasis/contracts';
import { configOf } from '../config.js';

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ACCESS_COOKIE = `__Host-${SESSION_COOKIES.access}=`;

/** The access token in the browser's `__Host-onasis_at` cookie, if any. */
export function sessionCookie(cookies: string | undefined): string | undefined {
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(ACCESS_COOKIE)) return trimmed.slice(ACCESS_COOKIE.length) || undefined;
  }
  return undefined;
}

/** Whether a state-changing request carries an Origin of the gateway itself or one in CORS_ORIGINS. */
export function fromAllowedOrigin(origin: string | undefined, url: string, env: GatewayEnv): boolean {
  if (!origin) return false;
  return origin === new URL(url).origin || configOf(env).corsOrigins.has(origin);
}
