import { DURATION_BUCKETS } from '../metrics/model.js';
import { type Family, renderPrometheus } from '../metrics/prometheus.js';

/** An isolate that has not flushed for this long no longer counts towards in-flight requests or breaker states. */
export const ISOLATE_STALE_MS = 60_000;

/**
 * The exposition text of everything MetricsStore's tables hold. `services` lists every service so each has a series.
 */
export function renderStoredMetrics(sql: SqlStorage, services: readonly string[]): string {
  const requests = sql
    .exec<{ method: string; route: string; status: number; count: number }>(
      'SELECT method, route, status, count FROM requests ORDER BY route, method, status',
    )
    .toArray();
  const buckets = sql
    .exec<{ method: string; route: string; bucket: number; count: number }>(
      'SELECT method, route, bucket, count FROM durations',
    )
    .toArray();
  const totals = sql
    .exec<{ method: string; route: string; sum: number; count: number }>(
      'SELECT method, route, sum, count FROM duration_totals ORDER BY route, method',
    )
    .toArray();
  const errors = new Map(
    sql
      .exec<{ service: string; count: number }>('SELECT service, count FROM upstream_errors')
      .toArray()
      .map((r) => [r.service, r.count]),
  );
  const inFlight =
    sql
      .exec<{ n: number | null }>(
        'SELECT SUM(in_flight) AS n FROM isolates WHERE seen_at >= ?',
        Date.now() - ISOLATE_STALE_MS,
      )
      .one().n ?? 0;
  const flushes = sql.exec<{ count: number }>('SELECT count FROM flushes').toArray()[0]?.count ?? 0;
  const retries = new Map(
    sql
      .exec<{ service: string; count: number }>('SELECT service, count FROM upstream_retries')
      .toArray()
      .map((r) => [r.service, r.count]),
  );
  const cacheCounts = new Map(
    sql
      .exec<{ result: string; count: number }>('SELECT result, count FROM cache_results')
      .toArray()
      .map((r) => [r.result, r.count]),
  );
  const hits = cacheCounts.get('hit') ?? 0;
  const misses = cacheCounts.get('miss') ?? 0;
  const breakerStates = new Map(
    sql
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
