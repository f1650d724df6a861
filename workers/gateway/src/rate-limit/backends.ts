import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import type { Decision } from './algorithms.js';
import type { Policy } from './policies.js';

/** Settings the limiter reads beyond the generated `GatewayEnv` (the Upstash pair is secret and optional). */
export interface RateLimitEnv {
  RATE_LIMITER: GatewayEnv['RATE_LIMITER'];
  RATE_LIMIT_POLICIES?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

/** The longest a request waits for Redis, retry included, before the policy's fail mode decides. */
export const UPSTASH_TIMEOUT_MS = 300;
/** Each HTTP attempt is aborted after this long, so that a hung attempt does not outlive the request. */
const UPSTASH_ATTEMPT_MS = 250;
/** Pause before the one retry of an attempt that failed to connect. */
const UPSTASH_RETRY_BACKOFF_MS = 20;
/** Redis keys: `onasis:rl:<policy>:<key>` plus the library's window suffixes. */
const UPSTASH_PREFIX = 'onasis:rl';

/** Where work that may finish after the answer goes. */
type Background = Pick<ExecutionContext, 'waitUntil'>;

/** Most hits one lease may carry, and how long an isolate may spend one before asking again. */
const LEASE_MAX = 100;
const LEASE_MS = 1000;
/** Bounds the memory spent on leases; the oldest makes room for a new one. */
const LEASES_MAX_ENTRIES = 10_000;

interface Lease {
  /** Hits this isolate may still admit without asking the limiter. */
  left: number;
  until: number;
  decision: Decision;
}

/** Hits the embedded limiter handed this isolate in advance, per `<policy>:<key>`. */
const leases = new Map<string, Lease>();

/**
 * The embedded limiter with leases: a call to the key's Durable Object takes a batch of hits when plenty are left
 * (at most a tenth of them), and later hits in this isolate spend the batch without a call. The object only hands
 * out hits its rule admits, so the limit is never exceeded; hits leased but not spent within a second are lost, which
 * can only admit fewer. Near the limit a lease holds one hit, so the last ones are decided by the object one by one.
 */
async function hitDurableObject(env: RateLimitEnv, policy: Policy, key: string): Promise<Decision | undefined> {
  const name = `${policy.id}:${key}`;
  const now = Date.now();
  const lease = leases.get(name);
  if (lease !== undefined && lease.left > 0 && now < lease.until && now < lease.decision.resetMs) {
    lease.left -= 1;
    return { ...lease.decision, remaining: lease.decision.remaining + lease.left };
  }
  try {
    const stub = env.RATE_LIMITER.getByName(name);
    const { granted, decision } = await stub.take(
      policy.algorithm,
      policy.limit,
      policy.windowMs,
      policy.refillRate,
      LEASE_MAX,
    );
    if (granted > 1) {
      if (leases.size >= LEASES_MAX_ENTRIES && !leases.has(name)) {
        const oldest = leases.keys().next();
        if (!oldest.done) leases.delete(oldest.value);
      }
      leases.set(name, { left: granted - 1, until: now + LEASE_MS, decision: { ...decision } });
      return { ...decision, remaining: decision.remaining + granted - 1 };
    }
    leases.delete(name);
    return decision;
  } catch {
    return undefined;
  }
}

interface UpstashClient {
  url: string;
  token: string;
  redis: Redis;
  limiters: WeakMap<Policy, Ratelimit>;
}

let upstash: UpstashClient | undefined;

/** One HTTP client per isolate and credentials; one Ratelimit per policy. */
function upstashClient(url: string, token: string): UpstashClient {
  if (upstash?.url === url && upstash.token === token) return upstash;
  const redis = new Redis({
    url,
    token,
    // Raw JSON answers: the local REST server in tests does not base64-encode, and decoding is wasted work anyway.
    responseEncoding: false,
    retry: { retries: 1, backoff: () => UPSTASH_RETRY_BACKOFF_MS },
    // A fresh signal per HTTP call; the library passes an aborted call straight up instead of retrying it.
    signal: () => AbortSignal.timeout(UPSTASH_ATTEMPT_MS),
    enableTelemetry: false,
    readYourWrites: false,
  });
  upstash = { url, token, redis, limiters: new WeakMap() };
  return upstash;
}

function ratelimitFor(client: UpstashClient, policy: Policy): Ratelimit {
  let limiter = client.limiters.get(policy);
  if (limiter === undefined) {
    const seconds = policy.windowMs / 1000;
    limiter = new Ratelimit({
      redis: client.redis,
      limiter:
        policy.algorithm === 'token_bucket'
          ? Ratelimit.tokenBucket(policy.refillRate, `${seconds} s`, policy.limit)
          : Ratelimit.slidingWindow(policy.limit, `${seconds} s`),
      prefix: `${UPSTASH_PREFIX}:${policy.id}`,
      analytics: false,
      // The library answers "allowed" when this passes; the reason tells the two apart so the policy decides.
      timeout: UPSTASH_TIMEOUT_MS,
      // Same answers as the embedded limiter: every hit is counted in Redis, none decided from an isolate's memory.
      ephemeralCache: false,
    });
    client.limiters.set(policy, limiter);
  }
  return limiter;
}

async function hitUpstash(
  url: string,
  token: string,
  policy: Policy,
  key: string,
  background: Background,
): Promise<Decision | undefined> {
  try {
    const res = await ratelimitFor(upstashClient(url, token), policy).limit(key);
    background.waitUntil(res.pending);
    if (res.reason === 'timeout') return undefined;
    const now = Date.now();
    // Upstash reports no retry time of its own; its reset is the end of the current window or the next refill.
    const resetMs = Math.max(res.reset, now);
    return { allowed: res.success, limit: res.limit, remaining: res.remaining, resetMs, retryAtMs: resetMs };
  } catch {
    return undefined;
  }
}

/**
 * Counts one hit of `key` under `policy`: on Upstash when both of its settings are present, else on the embedded
 * Durable Object limiter. Resolves `undefined` when the limiter could not answer, so that the caller applies the
 * policy's fail mode.
 */
export function hit(
  env: RateLimitEnv,
  policy: Policy,
  key: string,
  background: Background,
): Promise<Decision | undefined> {
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  return url && token ? hitUpstash(url, token, policy, key, background) : hitDurableObject(env, policy, key);
}
