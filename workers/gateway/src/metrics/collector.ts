import { createLogger } from '@onasis/http';
import { BREAKER_STATE_VALUE, breakerStates } from '../services/circuit-breaker.js';
import { DURATION_BUCKETS, type MetricsDelta } from './model.js';

/** Flush after this many requests or this long, whichever comes first, so the metrics DO sees one call per batch. */
export const FLUSH_EVERY_REQUESTS = 100;
const FLUSH_EVERY_MS = 10_000;

/**
 * Counters of this isolate since its last flush. Isolates are many and short-lived, so each keeps deltas and hands
 * them to the metrics Durable Object in batches; `/metrics` reads the sum over all of them there.
 */
class MetricsCollector {
  // Random values and clocks are not available at module scope on Workers, so both start on first use.
  private id: string | undefined;
  inFlight = 0;
  private requests = new Map<string, [string, string, number, number]>();
  private durations = new Map<string, MetricsDelta['durations'][number]>();
  private upstreamErrors = new Map<string, number>();
  private upstreamRetries = new Map<string, number>();
  private cacheHits = 0;
  private cacheMisses = 0;
  private pending = 0;
  private lastFlush: number | undefined;

  /** Identifies this isolate's row in the metrics DO. */
  get isolateId(): string {
    this.id ??= crypto.randomUUID();
    return this.id;
  }

  /** Counts one answered request. */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    const row = this.requests.get(key);
    if (row) row[3] += 1;
    else this.requests.set(key, [method, route, status, 1]);

    const dkey = `${method} ${route}`;
    let d = this.durations.get(dkey);
    if (!d) {
      d = { method, route, buckets: new Array(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.durations.set(dkey, d);
    }
    let i = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    if (i === -1) i = DURATION_BUCKETS.length;
    d.buckets[i] = (d.buckets[i] ?? 0) + 1;
    d.sum += seconds;
    d.count += 1;
    this.pending += 1;
    this.lastFlush ??= Date.now();
  }

  /** Counts a failed or timed-out call to a domain service. */
  recordUpstreamError(service: string): void {
    this.upstreamErrors.set(service, (this.upstreamErrors.get(service) ?? 0) + 1);
  }

  /** Counts a call repeated after its first attempt failed. */
  recordUpstreamRetry(service: string): void {
    this.upstreamRetries.set(service, (this.upstreamRetries.get(service) ?? 0) + 1);
  }

  /** Counts a response-cache answer: a hit, or a cacheable answer that had to be fetched (a miss). */
  recordCache(hit: boolean): void {
    if (hit) this.cacheHits += 1;
    else this.cacheMisses += 1;
  }

  /** Whether enough has gathered (or enough time passed) to be worth a call to the metrics DO. */
  due(now = Date.now()): boolean {
    return (
      this.pending >= FLUSH_EVERY_REQUESTS || (this.pending > 0 && now - (this.lastFlush ?? now) >= FLUSH_EVERY_MS)
    );
  }

  /** Takes what has gathered and starts counting afresh; `restore` puts it back when the flush fails. */
  take(): MetricsDelta {
    const delta: MetricsDelta = {
      isolateId: this.isolateId,
      inFlight: this.inFlight,
      requests: [...this.requests.values()],
      durations: [...this.durations.values()],
      upstreamErrors: [...this.upstreamErrors.entries()],
      upstreamRetries: [...this.upstreamRetries.entries()],
      cache: { hits: this.cacheHits, misses: this.cacheMisses },
      // A snapshot, not a delta: the metrics DO keeps each isolate's latest and combines them.
      breakers: Object.entries(breakerStates()).map(([service, state]) => [service, BREAKER_STATE_VALUE[state]]),
    };
    this.requests = new Map();
    this.durations = new Map();
    this.upstreamErrors = new Map();
    this.upstreamRetries = new Map();
    this.cacheHits = 0;
    this.cacheMisses = 0;
    this.pending = 0;
    this.lastFlush = Date.now();
    return delta;
  }

  /** Merges a delta whose flush failed back in, so that no count is lost. */
  restore(delta: MetricsDelta): void {
    for (const [method, route, status, count] of delta.requests) {
      const key = `${method} ${route} ${status}`;
      const row = this.requests.get(key);
      if (row) row[3] += count;
      else this.requests.set(key, [method, route, status, count]);
      this.pending += count;
    }
    for (const d of delta.durations) {
      const key = `${d.method} ${d.route}`;
      const mine = this.durations.get(key);
      if (!mine) {
        this.durations.set(key, { ...d, buckets: [...d.buckets] });
        continue;
      }
      d.buckets.forEach((n, i) => {
        mine.buckets[i] = (mine.buckets[i] ?? 0) + n;
      });
      mine.sum += d.sum;
      mine.count += d.count;
    }
    for (const [service, count] of delta.upstreamErrors) {
      this.upstreamErrors.set(service, (this.upstreamErrors.get(service) ?? 0) + count);
    }
    for (const [service, count] of delta.upstreamRetries ?? []) {
      this.upstreamRetries.set(service, (this.upstreamRetries.get(service) ?? 0) + count);
    }
    this.cacheHits += delta.cache?.hits ?? 0;
    this.cacheMisses += delta.cache?.misses ?? 0;
  }
}

/** This isolate's collector. */
export const collector = new MetricsCollector();

/** Sends this isolate's counts to the metrics DO; on failure they are kept for the next flush. */
export async function flushMetrics(env: GatewayEnv): Promise<void> {
  const delta = collector.take();
  try {
    const stub = env.METRICS.get(env.METRICS.idFromName('global'));
    await stub.ingest(delta);
  } catch (err) {
    collector.restore(delta);
    createLogger({ service: 'gateway' }).error('metrics flush failed', { err: String(err) });
  }
}
