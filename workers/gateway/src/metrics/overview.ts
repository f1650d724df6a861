import { ownerOf } from '@onasis/contracts';
import { DURATION_BUCKETS } from './model.js';

/** Cumulative counts of one owner of routes (a service, or `gateway` for the gateway's own endpoints). */
export interface OwnerCounts {
  requests: number;
  /** Answers of status 500 or more. */
  errors: number;
  /** Non-cumulative request-duration bucket counts, one per DURATION_BUCKETS bound, then +Inf. */
  buckets: number[];
}

/** Every counter the overview needs, as cumulative totals at one moment. */
export interface CountsSnapshot {
  owners: Record<string, OwnerCounts>;
  cache: { hits: number; misses: number };
}

/** One owner's figures over the overview's window. */
export interface OwnerFigures {
  name: string;
  requests: number;
  /** Null without a window to divide by (no earlier sample yet). */
  requestsPerSecond: number | null;
  /** Null when there were no requests. */
  errorRate: number | null;
  p95Ms: number | null;
}

const emptyCounts = (): OwnerCounts => ({ requests: 0, errors: 0, buckets: DURATION_BUCKETS.map(() => 0).concat(0) });

/** Which owner a stored route template belongs to (`/api/v1/users/{id}` → identity). */
export function ownerOfRoute(route: string): string {
  return ownerOf(route) ?? 'gateway';
}

/** The cumulative counts the store holds now, per owner. */
export function countsOf(sql: SqlStorage): CountsSnapshot {
  const owners: Record<string, OwnerCounts> = {};
  const of = (route: string) => {
    const name = ownerOfRoute(route);
    owners[name] ??= emptyCounts();
    return owners[name];
  };
  for (const row of sql.exec<{ route: string; status: number; count: number }>(
    'SELECT route, status, SUM(count) AS count FROM requests GROUP BY route, status',
  )) {
    const counts = of(row.route);
    counts.requests += row.count;
    if (row.status >= 500) counts.errors += row.count;
  }
  for (const row of sql.exec<{ route: string; bucket: number; count: number }>(
    'SELECT route, bucket, SUM(count) AS count FROM durations GROUP BY route, bucket',
  )) {
    const buckets = of(row.route).buckets;
    buckets[row.bucket] = (buckets[row.bucket] ?? 0) + row.count;
  }
  const cache = { hits: 0, misses: 0 };
  for (const row of sql.exec<{ result: string; count: number }>('SELECT result, count FROM cache_results')) {
    if (row.result === 'hit') cache.hits = row.count;
    else if (row.result === 'miss') cache.misses = row.count;
  }
  return { owners, cache };
}

/**
 * The q-quantile in milliseconds of a histogram, interpolated linearly inside its bucket as Prometheus'
 * `histogram_quantile` does; a quantile that falls in +Inf answers the highest finite bound.
 */
export function quantileMs(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i] ?? 0;
    if (seen + count >= rank && count > 0) {
      const upper = DURATION_BUCKETS[i];
      if (upper === undefined) return (DURATION_BUCKETS.at(-1) ?? 0) * 1000;
      const lower = i === 0 ? 0 : (DURATION_BUCKETS[i - 1] ?? 0);
      return (lower + (upper - lower) * ((rank - seen) / count)) * 1000;
    }
    seen += count;
  }
  return null;
}

function minus(now: OwnerCounts, then: OwnerCounts | undefined): OwnerCounts {
  if (!then) return now;
  return {
    requests: now.requests - then.requests,
    errors: now.errors - then.errors,
    buckets: now.buckets.map((n, i) => n - (then.buckets[i] ?? 0)),
  };
}

/** One owner's figures from the counts gathered over `seconds` (null: since the store began). */
function figuresOf(name: string, counts: OwnerCounts, seconds: number | null): OwnerFigures {
  return {
    name,
    requests: counts.requests,
    requestsPerSecond: seconds ? counts.requests / seconds : null,
    errorRate: counts.requests > 0 ? counts.errors / counts.requests : null,
    p95Ms: quantileMs(counts.buckets, 0.95),
  };
}

/**
 * Figures per owner and for the whole platform over the window from `base` (an earlier snapshot) to `now`, as
 * Prometheus' `rate()` would give them; without a base, counts since the store began and no rates.
 */
export function overviewOf(
  owners: readonly string[],
  now: CountsSnapshot,
  base: { at: number; counts: CountsSnapshot } | null,
  nowMs: number,
) {
  const seconds = base ? Math.max(1, (nowMs - base.at) / 1000) : null;
  const all = emptyCounts();
  const perOwner = owners.map((name) => {
    const counts = minus(now.owners[name] ?? emptyCounts(), base?.counts.owners[name]);
    all.requests += counts.requests;
    all.errors += counts.errors;
    counts.buckets.forEach((n, i) => {
      all.buckets[i] = (all.buckets[i] ?? 0) + n;
    });
    return figuresOf(name, counts, seconds);
  });
  const hits = now.cache.hits - (base?.counts.cache.hits ?? 0);
  const lookups = hits + now.cache.misses - (base?.counts.cache.misses ?? 0);
  return {
    windowSeconds: seconds === null ? null : Math.round(seconds),
    owners: perOwner,
    total: { ...figuresOf('all', all, seconds), cacheHitRatio: lookups > 0 ? hits / lookups : null },
  };
}
