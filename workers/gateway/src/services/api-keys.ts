import type { Principal, RpcResult, VerifiedApiKey } from '@onasis/contracts';
import { configOf } from '../config.js';
import { withTimeout } from './bindings.js';
import { IdentityUnavailableError } from './jwks.js';

/**
 * Longest time an isolate trusts identity's answer about an API key, yes or no. It bounds how long a revoked key, a
 * disabled user's key or a key whose user lost a role keeps working here (the issue allows 60 s).
 */
export const API_KEY_CACHE_MS = 30 * 1000;
/** Bounds the memory spent on answers; the oldest makes room for a new one. */
const API_KEY_CACHE_MAX_ENTRIES = 10_000;
/**
 * Bounds the "not a valid key" answers, kept apart from the valid ones: a flood of invented keys evicts only other
 * invented keys, never a real key's answer (which would cost every real client a call to identity again).
 */
export const API_KEY_REFUSED_MAX_ENTRIES = 10_000;

/** `onk_<8 lower-case alphanumerics>_<43 base64url characters>`, as identity issues them. */
const KEY_PATTERN = /^onk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;

interface Answer {
  /** The caller the key proves, built once per answer so that a cache hit allocates nothing; null: not valid. */
  principal: Principal | null;
  keyId: string | null;
  until: number;
}

const answers = new Map<string, Answer>();
const refused = new Map<string, Answer>();
/** Each principal built here and the key it came from, for policies that count per key (rate limits). */
const keyIds = new WeakMap<Principal, string>();

function remember(key: string, answer: Answer): void {
  const [cache, max] =
    answer.principal === null ? [refused, API_KEY_REFUSED_MAX_ENTRIES] : [answers, API_KEY_CACHE_MAX_ENTRIES];
  answers.delete(key);
  refused.delete(key);
  // Re-inserting moves the entry to the end, so that eviction in insertion order drops the oldest answer.
  if (cache.size >= max) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, answer);
}

/** The answer this isolate holds for `key`, while it stands; undefined when identity would have to be asked. */
function cached(key: string, now: number): Answer | undefined {
  const known = answers.get(key) ?? refused.get(key);
  return known !== undefined && known.until > now ? known : undefined;
}

async function ask(env: GatewayEnv, key: string, askedAt: number): Promise<Answer> {
  let verified: RpcResult<VerifiedApiKey>;
  try {
    verified = await withTimeout<RpcResult<VerifiedApiKey>>(
      env.IDENTITY.verifyApiKey(key),
      configOf(env).upstreamTimeoutMs,
    );
  } catch (err) {
    // Not remembered: the next request asks again rather than inheriting an outage.
    throw new IdentityUnavailableError('the API key could not be checked', err);
  }
  let answer: Answer;
  if (!verified.ok) answer = { principal: null, keyId: null, until: askedAt + API_KEY_CACHE_MS };
  else {
    const { userId, scopes, plan, keyId } = verified.data;
    const principal: Principal = { userId, sessionId: null, permissions: scopes, via: 'api_key', plan };
    keyIds.set(principal, keyId);
    answer = { principal, keyId, until: askedAt + API_KEY_CACHE_MS };
  }
  // Counted from when the question was asked, so that the answer never outlives the bound, however slow the call.
  remember(key, answer);
  return answer;
}

/**
 * The caller an API key proves, or null when identity does not know it as a valid key; throws
 * IdentityUnavailableError when identity cannot be asked. Answers are kept for API_KEY_CACHE_MS; requests that
 * miss at the same time each ask. A string that is not shaped like a key is refused without a call and without
 * taking a place in the cache.
 */
export function apiKeyPrincipal(
  env: GatewayEnv,
  key: string,
  now: number,
): Principal | null | Promise<Principal | null> {
  // A cached answer is returned as is, not wrapped in a promise: this is the path nearly every request takes.
  const known = cached(key, now);
  if (known !== undefined) return known.principal;
  if (!KEY_PATTERN.test(key)) return null;
  // Never shared with another request's call: see sessionIsActive (services/session-status.ts) for why.
  return ask(env, key, now).then((a) => a.principal);
}

/**
 * What this isolate can say about `key` without asking identity: its principal, null for a key known to be invalid
 * (or not shaped like one), undefined when only identity can tell.
 */
export function knownApiKeyPrincipal(key: string, now: number): Principal | null | undefined {
  const known = cached(key, now);
  if (known !== undefined) return known.principal;
  return KEY_PATTERN.test(key) ? undefined : null;
}

/** The id of the API key a principal was verified from; undefined for any other principal. */
export function apiKeyIdOf(principal: Principal): string | undefined {
  return keyIds.get(principal);
}

/** Forgets the answer for a key this isolate just forwarded the successful revocation of. */
export function forgetApiKey(keyId: string): void {
  for (const [key, answer] of answers) if (answer.keyId === keyId) answers.delete(key);
}

/** Forgets the answers for every key of a user whose access was just changed (disabled, roles, deleted). */
export function forgetApiKeysOf(userId: string): void {
  for (const [key, answer] of answers) if (answer.principal?.userId === userId) answers.delete(key);
}

/** Forgets every cached answer (tests; a fresh isolate starts this way). */
export function resetApiKeyCache(): void {
  answers.clear();
  refused.clear();
}
