import { apiKeyMayCall, ownerOf, routePolicyFor } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { failureCounterOf, resetBlockedSources } from '../rate-limit/credential-failures.js';
import { API_KEY_PREFIX, invalidToken, resetAccessTokenCaches } from '../services/access-tokens.js';
import { resetApiKeyCache } from '../services/api-keys.js';
import { identify } from '../services/identify-caller.js';
import { resetJwksCache } from '../services/jwks.js';
import { fromAllowedOrigin, SAFE_METHODS, sessionCookie } from '../services/session-cookie.js';
import { resetSessionStatusCache } from '../services/session-status.js';

/** `Authorization: Bearer <b64token>` (RFC 6750 §2.1), scheme case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Paths of the gateway's own API, answered from its own counters, with their permission in ROUTE_POLICIES. */
const GATEWAY_API = new Set(['/api/v1/overview']);

/**
 * Authenticates the caller of every request bound for a domain Worker and enforces the route's policy from
 * ROUTE_POLICIES: 401 without valid credentials where they are needed, 403 without the route's permission. A token
 * sent to a public route is verified as well, so that the service learns who is calling; one that fails is ignored.
 * The verified principal is what the proxy hands the service; nothing a client sends can stand in for it.
 *
 * Gateway endpoints and paths no service owns are left alone: nothing behind them acts on a principal, and
 * `/metrics` takes its own bearer token. The gateway's own API (GATEWAY_API) is checked like a service's.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const path = c.req.path;
    if (ownerOf(path) === null && !GATEWAY_API.has(path)) return next();
    const method = c.req.method;
    const policy = routePolicyFor(method === 'HEAD' ? 'GET' : method, path);
    const access = policy.access;
    const header = c.req.header('authorization');
    const apiKey = header ? undefined : c.req.header('x-api-key');
    let token: string | undefined;
    if (header) token = BEARER.exec(header)?.[1];
    // X-API-Key carries API keys only: taking access tokens there too would open a second channel no client needs.
    else if (apiKey !== undefined) token = apiKey.startsWith(API_KEY_PREFIX) ? apiKey : undefined;
    else {
      token = sessionCookie(c.req.header('cookie'));
      if (token === undefined) {
        if (access === 'public') return next();
        throw new AppError('UNAUTHENTICATED', 'This endpoint needs an access token.', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      // A browser sends cookies with requests that other sites make it send; only a request from an allowed
      // origin may act with them (SameSite=Lax already keeps them off most cross-site requests).
      if (!SAFE_METHODS.has(method) && !fromAllowedOrigin(c.req.header('origin'), c.req.url, c.env)) {
        throw new AppError('FORBIDDEN', 'Cross-site request refused: send it from an allowed origin.');
      }
    }
    if (token === undefined) {
      if (access === 'public') return next();
      throw invalidToken();
    }
    const now = Date.now();
    const log = c.get('log');
    const failures = failureCounterOf(c.env, method, path, c.req.header('cf-connecting-ip'));
    const guard = failures === undefined ? undefined : { failures, background: c.executionCtx };
    if (access === 'public') {
      // A stale token sent along to /auth/refresh or /auth/login must not stand in the way of getting a new one: on
      // a public route a credential that does not verify is ignored, and the service sees an anonymous caller.
      const principal = await identify(c.env, token, now, log, guard).catch((err) => {
        if (err instanceof AppError) return undefined;
        throw err;
      });
      if (principal) c.set('principal', principal);
      return next();
    }
    const principal = await identify(c.env, token, now, log, guard);
    if (principal.via === 'api_key' && !apiKeyMayCall(policy, principal.permissions)) {
      throw new AppError(
        'FORBIDDEN',
        access === 'authenticated'
          ? 'API keys cannot call this endpoint; sign in to do this.'
          : `This endpoint needs the ${access} permission among the API key's scopes.`,
      );
    }
    if (access !== 'authenticated' && !principal.permissions.includes(access)) {
      throw new AppError('FORBIDDEN', `This endpoint needs the ${access} permission.`);
    }
    c.set('principal', principal);
    return next();
  };
}

/** Forgets every verified token, signing key and session answer this isolate holds (tests). */
export function resetAuthCaches(): void {
  resetAccessTokenCaches();
  resetJwksCache();
  resetSessionStatusCache();
  resetApiKeyCache();
  resetBlockedSources();
}
