/**
 * The two limiting algorithms of @upstash/ratelimit, as pure functions of (state, rule, now), so that the embedded
 * Durable Object limiter decides exactly as the Redis scripts do and can be tested against an injected clock.
 */

export type Algorithm = 'sliding_window' | 'token_bucket';

/** What a limiter needs of a policy; `windowMs` is the refill interval for a token bucket. */
export interface LimitRule {
  algorithm: Algorithm;
  limit: number;
  windowMs: number;
  /** Tokens added per `windowMs` (token bucket only). */
  refillRate: number;
}

/**
 * Sliding window: `a` = index of the current fixed window, `b` = hits in it, `c` = hits in the window before it.
 * Token bucket: `a` = when the bucket was last refilled, `b` = tokens left, `c` unused.
 * `expiresAt`: from then on the state is indistinguishable from no state, so it may be deleted.
 */
export interface LimiterState {
  algorithm: Algorithm;
  a: number;
  b: number;
  c: number;
  expiresAt: number;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends or the next token arrives (epoch ms). */
  resetMs: number;
  /** For a refused hit: the earliest time a retry can pass (epoch ms); equal to `resetMs` otherwise. */
  retryAtMs: number;
}

/** The decision for one hit and the state to keep afterwards (`undefined`: unchanged, as after every refusal). */
interface Outcome {
  decision: Decision;
  next: LimiterState | undefined;
}

/**
 * Upstash's sliding window: fixed windows aligned to the epoch, where the previous window's count is weighted by the
 * share of it the sliding window still covers (rounded down) and a hit passes while weighted + current < limit.
 */
export function slidingWindow(rule: LimitRule, state: LimiterState | undefined, now: number): Outcome {
  const { limit, windowMs } = rule;
  const index = Math.floor(now / windowMs);
  let current = 0;
  let previous = 0;
  if (state !== undefined && state.algorithm === 'sliding_window') {
    if (state.a === index) {
      current = state.b;
      previous = state.c;
    } else if (state.a === index - 1) previous = state.b;
  }
  const start = index * windowMs;
  const resetMs = start + windowMs;
  const weighted = Math.floor((1 - (now - start) / windowMs) * previous);
  if (weighted + current >= limit) {
    return {
      decision: {
        allowed: false,
        limit,
        remaining: 0,
        resetMs,
        retryAtMs: slidingRetryAt(rule, start, current, previous),
      },
      next: undefined,
    };
  }
  current += 1;
  return {
    decision: { allowed: true, limit, remaining: Math.max(0, limit - current - weighted), resetMs, retryAtMs: resetMs },
    // Two windows on, both counts have aged out.
    next: { algorithm: 'sliding_window', a: index, b: current, c: previous, expiresAt: resetMs + windowMs },
  };
}

/**
 * The first instant a hit passes again, so that Retry-After is neither too early nor needlessly late: either later in
 * this window, once the previous window's weight has decayed enough, or in the next one, where this window's hits
 * become the decaying ones. `floor(x) < n` holds exactly when `x < n` for whole `n`.
 */
function slidingRetryAt(rule: LimitRule, start: number, current: number, previous: number): number {
  const { limit, windowMs } = rule;
  if (current < limit && previous > 0) {
    return start + Math.floor(windowMs * (1 - (limit - current) / previous)) + 1;
  }
  // In the next window this window's hits weigh floor((1 - p) × current), below the limit once p > 1 - limit/current.
  return start + windowMs + Math.floor(windowMs * (1 - limit / current)) + 1;
}

/**
 * Upstash's token bucket: `limit` tokens at most, `refillRate` more every `windowMs` counted from the last refill,
 * one taken per hit; an empty bucket refuses until the next refill.
 */
export function tokenBucket(rule: LimitRule, state: LimiterState | undefined, now: number): Outcome {
  const { limit, windowMs, refillRate } = rule;
  let refilledAt = now;
  let tokens = limit;
  if (state !== undefined && state.algorithm === 'token_bucket') {
    refilledAt = state.a;
    tokens = state.b;
    if (now >= refilledAt + windowMs) {
      const refills = Math.floor((now - refilledAt) / windowMs);
      tokens = Math.min(limit, tokens + refills * refillRate);
      refilledAt += refills * windowMs;
    }
  }
  const resetMs = refilledAt + windowMs;
  if (tokens <= 0) {
    return { decision: { allowed: false, limit, remaining: 0, resetMs, retryAtMs: resetMs }, next: undefined };
  }
  const remaining = tokens - 1;
  return {
    decision: { allowed: true, limit, remaining, resetMs, retryAtMs: resetMs },
    next: {
      algorithm: 'token_bucket',
      a: refilledAt,
      b: remaining,
      c: 0,
      // Once refilled to the brim, the bucket is what a new key would get.
      expiresAt: refilledAt + Math.ceil((limit - remaining) / refillRate) * windowMs,
    },
  };
}

/** One hit under `rule`. */
export function decide(rule: LimitRule, state: LimiterState | undefined, now: number): Outcome {
  return rule.algorithm === 'token_bucket' ? tokenBucket(rule, state, now) : slidingWindow(rule, state, now);
}
