import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { hit, type RateLimitEnv } from '../rate-limit/backends.js';
import { keyOf, matchPolicy, policiesOf } from '../rate-limit/policies.js';

/** Suggested wait when a fail-closed policy cannot reach its limiter. */
const UNAVAILABLE_RETRY_SECONDS = '5';

/** Whole seconds from now until `at`, at least `min`. */
function secondsUntil(at: number, now: number, min: number): number {
  const s = Math.ceil((at - now) / 1000);
  return Math.max(s, min);
}

/**
 * Applies the first rate-limit policy that covers the request (see `rate-limit/policies.ts`), after `authenticate`
 * so that per-user policies count the verified caller. Every request a policy covers answers with `RateLimit-Policy`
 * and, when the limiter answered, `RateLimit` (draft-ietf-httpapi-ratelimit-headers); a refused one gets 429
 * `RATE_LIMITED` with `Retry-After`. When the limiter cannot answer in time, a fail-closed policy refuses with 503
 * and a fail-open one lets the request through.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const env = c.env as GatewayEnv & RateLimitEnv;
    const policies = policiesOf(env);
    if (policies.length === 0) return next();
    const method = c.req.method;
    const policy = matchPolicy(policies, method === 'HEAD' ? 'GET' : method, c.req.path);
    if (policy === undefined) return next();
    const key = keyOf(policy, c.get('principal'), c.req);
    if (key === undefined) return next();

    const decision = await hit(env, policy, key, c.executionCtx);
    if (decision === undefined) {
      c.get('log').warn('rate limiter unavailable', { policy: policy.id, failMode: policy.failMode });
      if (policy.failMode === 'closed') {
        throw new AppError('SERVICE_UNAVAILABLE', 'Requests to this endpoint cannot be admitted right now.', {
          headers: { 'retry-after': UNAVAILABLE_RETRY_SECONDS, 'ratelimit-policy': policy.policyHeader },
        });
      }
      await next();
      c.res.headers.set('ratelimit-policy', policy.policyHeader);
      return;
    }
    const now = Date.now();
    if (!decision.allowed) {
      const retry = secondsUntil(decision.retryAtMs, now, 1);
      throw new AppError('RATE_LIMITED', `Too many requests; retry in ${retry} s.`, {
        headers: {
          'retry-after': String(retry),
          'ratelimit-policy': policy.policyHeader,
          ratelimit: `${policy.stateHeaderStart}0;t=${retry}`,
        },
      });
    }
    await next();
    const headers = c.res.headers;
    headers.set('ratelimit-policy', policy.policyHeader);
    headers.set(
      'ratelimit',
      `${policy.stateHeaderStart}${decision.remaining};t=${secondsUntil(decision.resetMs, now, 0)}`,
    );
  };
}
