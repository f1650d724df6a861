import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE, type Principal } from '@onasis/contracts';
import { AppError, type Logger } from '@onasis/http';
import { type JWTVerifyOptions, jwtVerify } from 'jose';
import { collector } from '../metrics/collector.js';
import { apiKeyPrincipal } from './api-keys.js';
import { accessTokenKey, IdentityUnavailableError } from './jwks.js';

/** A verified token is trusted without a second signature check for at most this long (and never past its `exp`). */
export const TOKEN_CACHE_MS = 60 * 1000;
/** Bounds the memory spent on verified tokens (about 1 KB each); the oldest makes room for a new one. */
const TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** Longer than any token identity issues; anything longer is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 4096;
/** Prefix of API keys, which are not JWTs. */
export const API_KEY_PREFIX = 'onk_';

/** Turns a presented credential into the caller it proves, or throws the 401 (or 503) to answer with. */
type Verifier = (env: GatewayEnv, token: string, now: number, log: Logger) => Promise<Principal>;

const verified = new Map<string, { principal: Principal; until: number }>();
const optionsByIssuer = new Map<string, JWTVerifyOptions>();

export function invalidToken(): AppError {
  // One answer for every reason, so that a client learns nothing about which check failed.
  return new AppError('UNAUTHENTICATED', 'The access token is invalid, expired or revoked.', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

export function unavailable(err: IdentityUnavailableError, log: Logger): AppError {
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
export function recall(token: string, now: number): Principal | undefined {
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
export const verifyAccessToken: Verifier = async (env, token, now, log) => {
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
export const verifyApiKey: Verifier = async (env, key, now, log) => {
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

/** Forgets every verified token and the verify options built per issuer (tests, via resetAuthCaches). */
export function resetAccessTokenCaches(): void {
  verified.clear();
  optionsByIssuer.clear();
}
