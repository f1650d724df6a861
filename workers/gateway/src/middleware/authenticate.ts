import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TYPE,
  apiKeyMayCall,
  ownerOf,
  type Principal,
  routePolicyFor,
  SESSION_COOKIES,
} from '@onasis/contracts';
import { AppError, type Logger } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import { type JWTVerifyOptions, jwtVerify } from 'jose';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { collector } from '../metrics/collector.js';
import {
  countFailure,
  type FailureCounter,
  failureCounterOf,
  refuseBlockedSource,
  resetBlockedSources,
} from '../rate-limit/credential-failures.js';
import {
  apiKeyPrincipal,
  forgetApiKey,
  forgetApiKeysOf,
  knownApiKeyPrincipal,
  resetApiKeyCache,
} from '../services/api-keys.js';
import { accessTokenKey, IdentityUnavailableError, resetJwksCache } from '../services/jwks.js';
import { forgetSession, forgetUser, resetSessionStatusCache, sessionIsActive } from '../services/session-status.js';

/** A verified token is trusted without a second signature check for at most this long (and never past its `exp`). */
export const TOKEN_CACHE_MS = 60 * 1000;
/** Bounds the memory spent on verified tokens (about 1 KB each); the oldest makes room for a new one. */
export const TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** Longer than any token identity issues; anything longer is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 4096;
/** Prefix of API keys, which are not JWTs. */
const API_KEY_PREFIX = 'onk_';
/** `Authorization: Bearer <b64token>` (RFC 6750 §2.1), scheme case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Turns a presented credential into the caller it proves, or throws the 401 (or 503) to answer with. */
type Verifier = (env: GatewayEnv, token: string, now: number, log: Logger) => Promise<Principal>;

const verified = new Map<string, { principal: Principal; until: number }>();
const optionsByIssuer = new Map<string, JWTVerifyOptions>();

function invalidToken(): AppError {
  // One answer for every reason, so that a client learns nothing about which check failed.
  return new AppError('UNAUTHENTICATED', 'The access token is invalid, expired or revoked.', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

function unavailable(err: IdentityUnavailableError, log: Logger): AppError {
  collector.recordUpstreamError('identity');
  log.error('credentials could not be checked', { upstream: 'identity', err: err.message });
  return new AppError('SERVICE_UNAVAILABLE', 'Credentials cannot be checked right now; try again shortly.', {
    headers: { 'retry-after': '5' },
  });
}

function verifyOptions(issuer: string | undefined): JWTVerifyOptions {
  // Without an issuer jose would skip the `iss` check; a deployment missing it must not accept foreign tokens.
  if (!issuer) throw new Error('ISSUER is not configured');
  let options = optionsByIssuer.get(issuer);
  if (options === undefined) {
    options = {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
      clockTolerance: 5,
    };
    optionsByIssuer.set(issuer, options);
  }
  return options;
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

/** The caller a credential proved when it was last verified, while that still stands. */
function recall(token: string, now: number): Principal | undefined {
  const known = verified.get(token);
  if (known === undefined) return undefined;
  if (known.until > now) return known.principal;
  verified.delete(token);
  return undefined;
}

function rememberToken(token: string, principal: Principal, until: number): void {
  if (verified.size >= TOKEN_CACHE_MAX_ENTRIES) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.set(token, { principal, until });
}

/** An ES256 access token signed by identity, checked as RFC 9068 asks; remembered once it passes. */
const verifyAccessToken: Verifier = async (env, token, now, log) => {
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken();
  const options = verifyOptions(env.ISSUER);
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, (header) => accessTokenKey(env, header, log), options));
  } catch (err) {
    if (err instanceof IdentityUnavailableError) throw unavailable(err, log);
    log.info('access token refused', { reason: (err as { code?: string }).code ?? 'invalid' });
    throw invalidToken();
  }
  const { sub, sid, permissions, exp, plan } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || sid === '' || !isStringArray(permissions)) {
    log.info('access token refused', { reason: 'claims' });
    throw invalidToken();
  }
  const principal: Principal = {
    userId: sub,
    sessionId: sid,
    permissions,
    via: 'access_token',
    plan: typeof plan === 'string' && plan !== '' ? plan : 'free',
  };
  rememberToken(token, principal, Math.min((exp as number) * 1000, now + TOKEN_CACHE_MS));
  return principal;
};

/**
 * An API key, as identity judges it (services/api-keys.ts caches the answer for at most 30 s). An unknown, revoked or
 * expired key gets the same 401 as a bad token.
 */
const verifyApiKey: Verifier = async (env, key, now, log) => {
  let principal: Principal | null;
  try {
    principal = await apiKeyPrincipal(env, key, now);
  } catch (err) {
    if (err instanceof IdentityUnavailableError) throw unavailable(err, log);
    throw err;
  }
  if (principal === null) {
    log.info('access token refused', { reason: 'api_key' });
    throw invalidToken();
  }
  return principal;
};

/**
 * Authenticates the caller of every request bound for a domain Worker and enforces the route's policy from
 * ROUTE_POLICIES: 401 without valid credentials where they are needed, 403 without the route's permission. A token
 * sent to a public route is verified as well, so that the service learns who is calling; one that fails is ignored.
 * The verified principal is what the proxy hands the service; nothing a client sends can stand in for it.
 *
 * Gateway endpoints and paths no service owns are left alone: nothing behind them acts on a principal, and
 * `/metrics` takes its own bearer token.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const path = c.req.path;
    if (ownerOf(path) === null) return next();
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
    await next();
    if (c.res.status < 300) forgetRevoked(method, path, principal);
  };
}

/**
 * After a revocation this isolate forwarded succeeded, its cached "live" answers (sessions, API keys) are dropped at
 * once, so the revoked credential stops working here immediately rather than at the end of the cache window (other
 * isolates take up to SESSION_STATUS_CACHE_SECONDS, or API_KEY_CACHE_MS for keys).
 */
function forgetRevoked(method: string, path: string, principal: Principal): void {
  if (method === 'POST' && path === '/auth/logout' && principal.sessionId) forgetSession(principal.sessionId);
  else if (method === 'POST' && path === '/auth/logout-all') forgetUser(principal.userId);
  else if (method === 'DELETE' && path === USER_ME) {
    forgetUser(principal.userId);
    forgetApiKeysOf(principal.userId);
  } else if (method === 'DELETE' && path.startsWith(`${USER_ME}/sessions/`))
    forgetSession(path.slice(USER_ME.length + '/sessions/'.length));
  else if (method === 'DELETE' && path.startsWith(`${USER_ME}/api-keys/`))
    forgetApiKey(path.slice(USER_ME.length + '/api-keys/'.length));
  else if (method === 'PATCH' && path.startsWith('/api/v1/users/usr_')) {
    const userId = path.slice('/api/v1/users/'.length);
    forgetUser(userId);
    forgetApiKeysOf(userId);
  }
}

const USER_ME = '/api/v1/users/me';

/** Where a request's failed credential checks are counted, and where the limiter's pending work goes. */
interface FailureGuard {
  failures: FailureCounter;
  background: Pick<ExecutionContext, 'waitUntil'>;
}

/**
 * The caller a credential proves without a signature check or a call to identity: a token verified a moment ago,
 * or an API key whose answer is cached (null: known not to be valid).
 */
function known(token: string, now: number): Principal | null | undefined {
  return recall(token, now) ?? (token.startsWith(API_KEY_PREFIX) ? knownApiKeyPrincipal(token, now) : undefined);
}

/**
 * The caller a presented credential proves, with a live session; throws the 401 (or 503) otherwise. A source that
 * failed too many checks (`guard`) gets 429 instead of another check, unless the credential is known here already:
 * an invented token or key then costs neither a signature check nor a call to identity.
 */
async function identify(
  env: GatewayEnv,
  token: string,
  now: number,
  log: Logger,
  guard: FailureGuard | undefined,
): Promise<Principal> {
  // Repeat requests with the same token skip both the verifier and its promise.
  let principal = known(token, now);
  if (principal === null || principal === undefined) {
    if (guard !== undefined) refuseBlockedSource(guard.failures, now);
    try {
      principal = await (token.startsWith(API_KEY_PREFIX) ? verifyApiKey : verifyAccessToken)(env, token, now, log);
    } catch (err) {
      if (guard !== undefined && err instanceof AppError && err.code === 'UNAUTHENTICATED')
        await countFailure(env, guard.failures, guard.background, now);
      throw err;
    }
  }
  if (principal.sessionId !== null) {
    let active: boolean;
    try {
      const status = sessionIsActive(env, principal.userId, principal.sessionId, now);
      active = typeof status === 'boolean' ? status : await status;
    } catch (err) {
      if (err instanceof IdentityUnavailableError) throw unavailable(err, log);
      throw err;
    }
    if (!active) {
      log.info('access token refused', { reason: 'session' });
      throw invalidToken();
    }
  }
  return principal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ACCESS_COOKIE = `__Host-${SESSION_COOKIES.access}=`;

/** The access token in the browser's `__Host-onasis_at` cookie, if any. */
function sessionCookie(cookies: string | undefined): string | undefined {
  if (!cookies) return undefined;
  for (const part of cookies.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(ACCESS_COOKIE)) return trimmed.slice(ACCESS_COOKIE.length) || undefined;
  }
  return undefined;
}

/** Whether a state-changing request carries an Origin of the gateway itself or one in CORS_ORIGINS. */
function fromAllowedOrigin(origin: string | undefined, url: string, env: GatewayEnv): boolean {
  if (!origin) return false;
  return origin === new URL(url).origin || configOf(env).corsOrigins.has(origin);
}

/** Forgets every verified token, signing key and session answer this isolate holds (tests). */
export function resetAuthCaches(): void {
  verified.clear();
  optionsByIssuer.clear();
  resetJwksCache();
  resetSessionStatusCache();
  resetApiKeyCache();
  resetBlockedSources();
}
