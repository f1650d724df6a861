import { DurableObject } from 'cloudflare:workers';
import { DURATION_BUCKETS, type MetricsDelta } from '../metrics/model.js';
import { type Family, renderPrometheus } from '../metrics/prometheus.js';

/** An isolate that has not flushed for this long no longer counts towards in-flight requests or breaker states. */
const ISOLATE_STALE_MS = 60_000;
/** Breaker snapshots older than this are deleted; they stopped counting after ISOLATE_STALE_MS anyway. */
const BREAKER_ROWS_KEPT_MS = 3_600_000;

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
  }

  /** The exposition text of everything ingested so far. `services` lists every service so each has a series. */
  render(services: readonly string[]): string {
    const requests = this.sql
      .exec<{ method: string; route: string; status: number; count: number }>(
        'SELECT method, route, status, count FROM requests ORDER BY route, method, status',
      )
      .toArray();
    const buckets = this.sql
      .exec<{ method: string; route: string; bucket: number; count: number }>(
        'SELECT method, route, bucket, count FROM durations',
      )
      .toArray();
    const totals = this.sql
      .exec<{ method: string; route: string; sum: number; count: number }>(
        'SELECT method, route, sum, count FROM duration_totals ORDER BY route, method',
      )
      .toArray();
    const errors = new Map(
      this.sql
        .exec<{ service: string; count: number }>('SELECT service, count FROM upstream_errors')
        .toArray()
        .map((r) => [r.service, r.count]),
    );
    const inFlight =
      this.sql
        .exec<{ n: number | null }>(
          'SELECT SUM(in_flight) AS n FROM isolates WHERE seen_at >= ?',
          Date.now() - ISOLATE_STALE_MS,
        )
        .one().n ?? 0;
    const flushes = this.sql.exec<{ count: number }>('SELECT count FROM flushes').toArray()[0]?.count ?? 0;
    const retries = new Map(
      this.sql
        .exec<{ service: string; count: number }>('SELECT service, count FROM upstream_retries')
        .toArray()
        .map((r) => [r.service, r.count]),
    );
    const cacheCounts = new Map(
      this.sql
        .exec<{ result: string; count: number }>('SELECT result, count FROM cache_results')
        .toArray()
        .map((r) => [r.result, r.count]),
    );
    const hits = cacheCounts.get('hit') ?? 0;
    const misses = cacheCounts.get('miss') ?? 0;
    const breakerStates = new Map(
      this.sql
        .exec<{ service: string; state: number }>(
          'SELECT service, MAX(state) AS state FROM breaker_states WHERE seen_at >= ? GROUP BY service',
          Date.now() - ISOLATE_STALE_MS,
        )
        .toArray()
        .map((r) => [r.service, r.state]),
    );

    const histogram: Family = {
      name: 'onasis_http_request_duration_seconds',
      help: 'Time from the gateway receiving a request to its response, by method and route template.',
      type: 'histogram',
      samples: [],
    };
    for (const t of totals) {
      const labels = { method: t.method, route: t.route };
      const counts = new Array(DURATION_BUCKETS.length + 1).fill(0);
      for (const b of buckets) if (b.method === t.method && b.route === t.route) counts[b.bucket] = b.count;
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += counts[i];
        histogram.samples.push({ suffix: '_bucket', labels: { ...labels, le: String(bound) }, value: cumulative });
      });
      histogram.samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: t.count });
      histogram.samples.push({ suffix: '_sum', labels, value: t.sum });
      histogram.samples.push({ suffix: '_count', labels, value: t.count });
    }

    return renderPrometheus([
      {
        name: 'onasis_http_requests_total',
        help: 'Requests answered by the gateway, by method, route template and status.',
        type: 'counter',
        samples: requests.map((r) => ({
          labels: { method: r.method, route: r.route, status: String(r.status) },
          value: r.count,
        })),
      },
      histogram,
      {
        name: 'onasis_http_requests_in_flight',
        help: 'Requests being handled by gateway isolates that reported within the last minute.',
        type: 'gauge',
        samples: [{ labels: {}, value: inFlight }],
      },
      {
        name: 'onasis_upstream_errors_total',
        help: 'Calls to a domain service that threw, timed out or answered 5xx.',
        type: 'counter',
        samples: services.map((service) => ({ labels: { service }, value: errors.get(service) ?? 0 })),
      },
      {
        name: 'onasis_metrics_flushes_total',
        help: 'Batches of counts received from gateway isolates.',
        type: 'counter',
        samples: [{ labels: {}, value: flushes }],
      },
      {
        // Breakers live per isolate and a state cannot be summed: this is the worst state any isolate reported in
        // its latest flush within the last minute, so "2" means at least one isolate is refusing calls.
        name: 'onasis_gateway_circuit_breaker_state',
        help: 'Worst circuit breaker state among gateway isolates seen in the last minute: 0 closed, 1 half-open, 2 open.',
        type: 'gauge',
        samples: services.map((service) => ({ labels: { service }, value: breakerStates.get(service) ?? 0 })),
      },
      {
        name: 'onasis_gateway_cache_requests_total',
        help: 'Cacheable GET requests answered from the gateway cache (hit) or fetched from the service (miss).',
        type: 'counter',
        samples: [
          { labels: { result: 'hit' }, value: hits },
          { labels: { result: 'miss' }, value: misses },
        ],
      },
      {
        name: 'onasis_gateway_cache_hit_ratio',
        help: 'Share of cacheable GET requests answered from the gateway cache since the metrics began.',
        type: 'gauge',
        samples: [{ labels: {}, value: hits + misses === 0 ? 0 : hits / (hits + misses) }],
      },
      {
        name: 'onasis_gateway_upstream_retries_total',
        help: 'Idempotent calls to a domain service repeated after a failed attempt.',
        type: 'counter',
        samples: services.map((service) => ({ labels: { service }, value: retries.get(service) ?? 0 })),
      },
    ]);
  }
}
