import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { withTimeout } from '../services/bindings.js';
import { type QuotaPeriod, quotaLimitOf, quotaPeriodAt } from '../services/quota-plans.js';

/** Longest wait for a user's counter before the request goes ahead uncounted. */
const QUOTA_TIMEOUT_MS = 1000;
/** Users this isolate knows to be out of quota; the oldest is forgotten beyond this many. */
const EXHAUSTED_MAX_ENTRIES = 10_000;

/**
 * `user month limit` of users who used up their quota, answered here without asking their counter again. Exact,
 * not an estimate: within a month a count only grows, and a new limit (a plan change) or a new month is a new entry.
 */
const exhausted = new Set<string>();

/** Most units one lease may carry, and how long an isolate may spend one before asking again. */
const LEASE_MAX = 100;
const LEASE_MS = 2000;
const LEASES_MAX_ENTRIES = 10_000;

/**
 * Units the user's counter handed this isolate in advance, per user, month and limit. A lease is at most a tenth of
 * what is left, so the quota is never exceeded and, near it, requests are decided one by one; what a lease does not
 * spend is refunded when this isolate next asks. An isolate that goes away with a lease leaves at most that many
 * units counted but not served.
 */
const leases = new Map<string, { left: number; used: number; until: number }>();

function refuse(limit: number, { resetsAt, resetIso: reset }: QuotaPeriod, now: number): never {
  throw new AppError('QUOTA_EXCEEDED', `The monthly quota of ${limit} requests is used up; it resets at ${reset}.`, {
    headers: {
      'retry-after': String(Math.max(1, Math.ceil((resetsAt - now) / 1000))),
      'x-quota-limit': String(limit),
      'x-quota-remaining': '0',
      'x-quota-reset': reset,
    },
  });
}

/**
 * The monthly request quota of each user's plan (`QUOTA_PLANS`), on `/api/v1/*` requests of a signed-in caller
 * (access token or API key); `/api/v1` is the versioned API of the public contract, not any one service's path. Sign-in and the other `/auth/*` routes are never counted, so a user out of quota can
 * still sign in, and anonymous requests have no one to count against (the rate limiter covers them). One call to
 * the user's `QuotaCounter` per request counts and checks at once; a counter that cannot be reached lets the request
 * through uncounted, since the quota is a billing measure and the rate limiter already protects the platform.
 */
export function quota(): MiddlewareHandler<AppEnv> {
  return async function quota(c, next) {
    const principal = c.get('principal');
    if (principal === undefined || !c.req.path.startsWith('/api/v1/')) return next();
    const limit = quotaLimitOf(configOf(c.env).quotaPlans, principal.plan);
    if (limit === null) return next();

    const now = Date.now();
    const period = quotaPeriodAt(now);
    const cacheKey = `${principal.userId} ${period.month} ${limit}`;
    if (exhausted.has(cacheKey)) refuse(limit, period, now);

    const namespace = c.env.QUOTAS;
    let used: number | undefined;
    const lease = leases.get(cacheKey);
    if (lease !== undefined && lease.left > 0 && now < lease.until) {
      lease.left -= 1;
      used = lease.used - lease.left;
    } else {
      const counter = namespace.get(namespace.idFromName(principal.userId));
      if (lease !== undefined) {
        leases.delete(cacheKey);
        // Units leased but not spent go back, so that only served requests stay counted.
        if (lease.left > 0)
          c.executionCtx.waitUntil(Promise.resolve(counter.refund(period.month, lease.left)).catch(() => {}));
      }
      try {
        const taken = await withTimeout(
          Promise.resolve(counter.take(period.month, limit, LEASE_MAX)),
          QUOTA_TIMEOUT_MS,
        );
        if (taken.granted === 0) {
          if (exhausted.size >= EXHAUSTED_MAX_ENTRIES) exhausted.delete(exhausted.values().next().value as string);
          exhausted.add(cacheKey);
          refuse(limit, period, now);
        }
        if (taken.granted > 1) {
          if (leases.size >= LEASES_MAX_ENTRIES) leases.delete(leases.keys().next().value as string);
          leases.set(cacheKey, { left: taken.granted - 1, used: taken.used, until: now + LEASE_MS });
        }
        used = taken.used - (taken.granted - 1);
      } catch (err) {
        if (err instanceof AppError) throw err;
        c.get('log').error('quota counter unreachable; request not counted', { err: String(err) });
      }
    }

    await next();
    if (used === undefined) return;
    const headers = c.res.headers;
    headers.set('x-quota-limit', String(limit));
    headers.set('x-quota-remaining', String(Math.max(0, limit - used)));
    headers.set('x-quota-reset', period.resetIso);
  };
}
