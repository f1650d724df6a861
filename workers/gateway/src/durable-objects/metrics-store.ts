import { DurableObject } from 'cloudflare:workers';
import type { MetricsDelta } from '../metrics/model.js';
import { type CountsSnapshot, countsOf, overviewOf } from '../metrics/overview.js';
import { ISOLATE_STALE_MS, renderStoredMetrics } from './metrics-exposition.js';

/** Breaker snapshots older than this are deleted; they stopped counting after ISOLATE_STALE_MS (metrics-exposition.ts) anyway. */
const BREAKER_ROWS_KEPT_MS = 3_600_000;

/**
 * Snapshots of the cumulative counts, taken at most this often, give the overview its rates over a recent window
 * (as Prometheus' `rate()` over two scrapes); an hour of them is kept.
 */
const SAMPLE_EVERY_MS = 15_000;
const SAMPLES_KEPT_MS = 3_600_000;

/**
 * The platform-wide sum of every gateway isolate's request metrics. One instance (`idFromName('global')`) receives
 * batched deltas, so its write rate is one call per isolate per flush, not per request. Counters live in SQLite so
 * that they survive eviction and restarts, as Prometheus counters must.
 */
export class MetricsStore extends DurableObject<GatewayEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS requests (method TEXT, route TEXT, status INTEGER, count INTEGER,
      PRIMARY KEY (method, route, status))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS durations (method TEXT, route TEXT, bucket INTEGER, count INTEGER,
      PRIMARY KEY (method, route, bucket))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS duration_totals (method TEXT, route TEXT, sum REAL, count INTEGER,
      PRIMARY KEY (method, route))`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS upstream_errors (service TEXT PRIMARY KEY, count INTEGER)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS isolates (id TEXT PRIMARY KEY, in_flight INTEGER, seen_at INTEGER)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS flushes (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS upstream_retries (service TEXT PRIMARY KEY, count INTEGER)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS cache_results (result TEXT PRIMARY KEY, count INTEGER)');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS breaker_states (isolate TEXT, service TEXT, state INTEGER, seen_at INTEGER,
      PRIMARY KEY (isolate, service))`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS count_samples (at INTEGER PRIMARY KEY, counts TEXT NOT NULL)');
  }

  /** Takes a snapshot of the counts (`counts` when already read) when the latest is older than SAMPLE_EVERY_MS. */
  private sample(now: number, counts?: CountsSnapshot): void {
    const latest = this.sql.exec<{ at: number | null }>('SELECT MAX(at) AS at FROM count_samples').one().at;
    if (latest !== null && now - latest < SAMPLE_EVERY_MS) return;
    this.sql.exec(
      'INSERT OR REPLACE INTO count_samples VALUES (?, ?)',
      now,
      JSON.stringify(counts ?? countsOf(this.sql)),
    );
    this.sql.exec('DELETE FROM count_samples WHERE at < ?', now - SAMPLES_KEPT_MS);
  }

  /**
   * Request rate, error rate and p95 per owner of routes (`owners`: the services and `gateway`) and in total over
   * about the last `windowMs`, the cache hit ratio, and each service's breaker as the isolates last reported it
   * (open when any fresh isolate's is open).
   */
  overview(owners: readonly string[], windowMs: number) {
    const now = Date.now();
    const baseRow = this.sql
      .exec<{ at: number; counts: string }>(
        'SELECT at, counts FROM count_samples WHERE at >= ? AND at <= ? ORDER BY at LIMIT 1',
        now - windowMs,
        now - SAMPLE_EVERY_MS,
      )
      .toArray()[0];
    const base = baseRow ? { at: baseRow.at, counts: JSON.parse(baseRow.counts) as CountsSnapshot } : null;
    const counts = countsOf(this.sql);
    const figures = overviewOf(owners, counts, base, now);
    this.sample(now, counts);
    const breakers: Record<string, 'closed' | 'half_open' | 'open'> = {};
    for (const row of this.sql.exec<{ service: string; state: number }>(
      'SELECT service, MAX(state) AS state FROM breaker_states WHERE seen_at >= ? GROUP BY service',
      now - ISOLATE_STALE_MS,
    )) {
      breakers[row.service] = row.state === 2 ? 'open' : row.state === 1 ? 'half_open' : 'closed';
    }
    return { ...figures, breakers };
  }

  /** Adds one isolate's batch. The whole batch applies in one implicit transaction, so a retry never half-counts. */
  ingest(delta: MetricsDelta): void {
    for (const [method, route, status, count] of delta.requests) {
      this.sql.exec(
        `INSERT INTO requests VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET count = count + excluded.count`,
        method,
        route,
        status,
        count,
      );
    }
    for (const d of delta.durations) {
      d.buckets.forEach((count, bucket) => {
        if (count === 0) return;
        this.sql.exec(
          `INSERT INTO durations VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count`,
          d.method,
          d.route,
          bucket,
          count,
        );
      });
      this.sql.exec(
        `INSERT INTO duration_totals VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET sum = sum + excluded.sum, count = count + excluded.count`,
        d.method,
        d.route,
        d.sum,
        d.count,
      );
    }
    for (const [service, count] of delta.upstreamErrors) {
      this.sql.exec(
        'INSERT INTO upstream_errors VALUES (?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
        service,
        count,
      );
    }
    // Older isolates may send a delta without the fields added later; a deploy mixes versions for a while.
    for (const [service, count] of delta.upstreamRetries ?? []) {
      this.sql.exec(
        'INSERT INTO upstream_retries VALUES (?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
        service,
        count,
      );
    }
    for (const [result, count] of [
      ['hit', delta.cache?.hits ?? 0],
      ['miss', delta.cache?.misses ?? 0],
    ] as const) {
      if (count > 0)
        this.sql.exec(
          'INSERT INTO cache_results VALUES (?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
          result,
          count,
        );
    }
    const now = Date.now();
    for (const [service, state] of delta.breakers ?? []) {
      this.sql.exec(
        `INSERT INTO breaker_states VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at`,
        delta.isolateId,
        service,
        state,
        now,
      );
    }
    this.sql.exec('DELETE FROM breaker_states WHERE seen_at < ?', now - BREAKER_ROWS_KEPT_MS);
    // Isolates come and go by the thousand; one that has not reported for as long counts for nothing any more.
    this.sql.exec('DELETE FROM isolates WHERE seen_at < ?', now - BREAKER_ROWS_KEPT_MS);
    this.sql.exec(
      'INSERT INTO isolates VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET in_flight = excluded.in_flight, seen_at = excluded.seen_at',
      delta.isolateId,
      delta.inFlight,
      Date.now(),
    );
    this.sql.exec('INSERT INTO flushes VALUES (1, 1) ON CONFLICT DO UPDATE SET count = count + 1');
    this.sample(now);
  }

  /** The exposition text of everything ingested so far. `services` lists every service so each has a series. */
  render(services: readonly string[]): string {
    return renderStoredMetrics(this.sql, services);
  }
}
