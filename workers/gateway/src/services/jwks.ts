import type { RpcResult } from '@onasis/contracts';
import type { Logger } from '@onasis/http';
import { createLocalJWKSet, errors, type JWK, type JWTHeaderParameters } from 'jose';
import { configOf } from '../config.js';
import { withTimeout } from './bindings.js';

/** How long an isolate verifies with the keys it loaded before it asks identity again. */
export const JWKS_CACHE_MS = 5 * 60 * 1000;
/**
 * The least time between two key-set fetches. A token naming a kid the isolate does not know may be the first signed
 * with a newly rotated key, so it earns one refetch; an attacker inventing kids must not earn one per request.
 */
export const JWKS_REFETCH_MS = 30 * 1000;

/** Identity could not be asked (threw or timed out): the caller cannot be judged, so the request fails closed. */
export class IdentityUnavailableError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${String(cause)}`);
    this.name = 'IdentityUnavailableError';
  }
}

interface KeySet {
  resolve: ReturnType<typeof createLocalJWKSet>;
  kids: ReadonlySet<string>;
  loadedAt: number;
}

let keySet: KeySet | null = null;
let lastFetchAt = Number.NEGATIVE_INFINITY;

/**
 * Header parameters identity never sets: keys other than its published ones (`jku`, `jwk`, `x5u`, `x5c`), and
 * extensions a verifier would have to understand (`crit`).
 */
const FOREIGN_KEY_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;

async function fetchKeys(env: GatewayEnv, now: number): Promise<KeySet> {
  try {
    const answer = await withTimeout<RpcResult<{ keys: JWK[] }>>(env.IDENTITY.jwks(), configOf(env).upstreamTimeoutMs);
    if (!answer.ok) throw new Error(`identity refused the key set: ${answer.error.code}`);
    const { keys } = answer.data;
    const kids = new Set<string>();
    for (const key of keys) if (typeof key.kid === 'string') kids.add(key.kid);
    keySet = { resolve: createLocalJWKSet({ keys }), kids, loadedAt: now };
    return keySet;
  } catch (err) {
    // A malformed key set is as unusable as none: either way no token can be judged until identity answers well.
    throw new IdentityUnavailableError('the signing keys could not be loaded', err);
  }
}

/**
 * Loads the key set for this request. A load under way in another request is not shared (see sessionIsActive in
 * services/session-status.ts): while one runs, the stale set serves, since `lastFetchAt` is set when it starts.
 */
function load(env: GatewayEnv, now: number): Promise<KeySet> {
  lastFetchAt = now;
  return fetchKeys(env, now);
}

/**
 * The key set to verify with: the cached one while it is fresh; once it is stale, a new one, or the stale one while
 * identity cannot be reached (keys change far more slowly than identity recovers).
 */
async function currentKeys(env: GatewayEnv, now: number, log: Logger): Promise<KeySet> {
  if (keySet && now - keySet.loadedAt < JWKS_CACHE_MS) return keySet;
  if (keySet && now - lastFetchAt < JWKS_REFETCH_MS) return keySet;
  try {
    return await load(env, now);
  } catch (err) {
    if (!keySet) throw err;
    log.warn('verifying with stale signing keys', { upstream: 'identity', err: String(err) });
    return keySet;
  }
}

/**
 * The public key an access token names, for jose's `jwtVerify`. Only the issuer's published keys can verify: a
 * header that brings or points at its own key is refused outright, and a token without a kid is not looked at.
 */
export async function accessTokenKey(env: GatewayEnv, header: JWTHeaderParameters, log: Logger): Promise<CryptoKey> {
  for (const name of FOREIGN_KEY_PARAMETERS) {
    if (header[name] !== undefined) throw new errors.JWSInvalid(`the "${name}" header parameter is not accepted`);
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') throw new errors.JWKSNoMatchingKey();
  const now = Date.now();
  let keys = await currentKeys(env, now, log);
  if (!keys.kids.has(kid) && now - lastFetchAt >= JWKS_REFETCH_MS) {
    // A failed refetch leaves the kid unknown: the token is refused as unverifiable, not the request as unanswerable.
    const known = keys;
    keys = await load(env, now).catch((err: unknown) => {
      log.warn('signing keys could not be refreshed', { upstream: 'identity', err: String(err) });
      return known;
    });
  }
  if (!keys.kids.has(kid)) throw new errors.JWKSNoMatchingKey();
  return (await keys.resolve(header)) as CryptoKey;
}

/** Forgets the cached keys (tests; a fresh isolate starts this way). */
export function resetJwksCache(): void {
  keySet = null;
  lastFetchAt = Number.NEGATIVE_INFINITY;
}
