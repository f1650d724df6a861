import { describe, expect, inject, it } from 'vitest';
import { api, expectProblem, unique } from './support/http.js';
import { familyTypes, parseSamples, promtoolCheck, type Sample, samplesOf, sampleValue } from './support/prometheus.js';

const SERVICES = ['identity', 'payments', 'notifications', 'analytics', 'files', 'jobs'];

async function scrapeText(): Promise<string> {
  const res = await api('/metrics', { headers: { authorization: `Bearer ${inject('metricsToken')}` } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

async function scrape(): Promise<Sample[]> {
  return parseSamples(await scrapeText());
}

function requests(samples: Sample[], method: string, route: string, status: number): number {
  return sampleValue(samples, 'onasis_http_requests_total', { method, route, status: String(status) });
}

describe('GET /metrics', () => {
  it('refuses a scrape without the metrics token', async () => {
    const res = await api('/metrics');
    await expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });

  it('refuses a scrape with a wrong token', async () => {
    const res = await api('/metrics', { headers: { authorization: `Bearer ${inject('metricsToken')}x` } });
    await expectProblem(res, 401, 'UNAUTHENTICATED');
  });

  it('serves uncached Prometheus text exposition 0.0.4', async () => {
    const res = await api('/metrics', { headers: { authorization: `Bearer ${inject('metricsToken')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4\b/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('passes promtool check metrics', async () => {
    await api('/nope');
    const text = await scrapeText();
    const { exitCode, output } = await promtoolCheck(text);
    expect(exitCode, `promtool check metrics:\n${output}\n--- exposition ---\n${text}`).toBe(0);
  });

  it('declares each family with its type', async () => {
    const types = familyTypes(await scrapeText());
    expect(Object.fromEntries(types)).toEqual({
      onasis_http_requests_total: 'counter',
      onasis_http_request_duration_seconds: 'histogram',
      onasis_http_requests_in_flight: 'gauge',
      onasis_upstream_errors_total: 'counter',
      onasis_metrics_flushes_total: 'counter',
      onasis_gateway_circuit_breaker_state: 'gauge',
      onasis_gateway_upstream_retries_total: 'counter',
      onasis_gateway_cache_requests_total: 'counter',
      onasis_gateway_cache_hit_ratio: 'gauge',
    });
  });

  it('counts each answered request once by method, route template and status', async () => {
    const before = await scrape();
    await api('/.well-known/jwks.json');
    await api('/health', { method: 'POST' });
    const after = await scrape();
    expect(
      requests(after, 'GET', '/.well-known/jwks.json', 200) - requests(before, 'GET', '/.well-known/jwks.json', 200),
    ).toBe(1);
    expect(requests(after, 'POST', '/health', 405) - requests(before, 'POST', '/health', 405)).toBe(1);
    // The previous scrape is counted by the next one.
    expect(requests(after, 'GET', '/metrics', 200) - requests(before, 'GET', '/metrics', 200)).toBe(1);
  });

  it('counts unknown paths under route="unmatched", never under the raw path', async () => {
    const marker = unique('e2e-scan-');
    const before = await scrape();
    await api(`/${marker}`);
    await api(`/${marker}/deeper?x=1`);
    await api(`/auth/${marker}`);
    const after = await scrape();
    expect(requests(after, 'GET', 'unmatched', 404) - requests(before, 'GET', 'unmatched', 404)).toBe(3);
    const leaked = after.filter((s) => Object.values(s.labels).some((v) => v.includes(marker)));
    expect(leaked).toEqual([]);
    for (const route of new Set(after.map((s) => s.labels.route).filter((r) => r !== undefined))) {
      expect(route === 'unmatched' || route.startsWith('/'), route).toBe(true);
    }
  });

  it('records request durations as a cumulative histogram per route template', async () => {
    const before = await scrape();
    await api('/.well-known/openid-configuration');
    const after = await scrape();
    const labels = { method: 'GET', route: '/.well-known/openid-configuration' };
    const count = (s: Sample[]) => sampleValue(s, 'onasis_http_request_duration_seconds_count', labels);
    expect(count(after) - count(before)).toBe(1);

    const series = new Map<string, Sample[]>();
    for (const s of samplesOf(after, 'onasis_http_request_duration_seconds_bucket')) {
      const key = `${s.labels.method} ${s.labels.route}`;
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    expect(series.size).toBeGreaterThan(0);
    for (const [key, buckets] of series) {
      const [method = '', route = ''] = key.split(' ');
      const values = buckets.map((b) => b.value);
      expect(values, key).toEqual([...values].sort((a, b) => a - b));
      expect(buckets.at(-1)?.labels.le, key).toBe('+Inf');
      const total = sampleValue(after, 'onasis_http_request_duration_seconds_count', { method, route });
      expect(buckets.at(-1)?.value, key).toBe(total);
      expect(
        sampleValue(after, 'onasis_http_request_duration_seconds_sum', { method, route }),
        key,
      ).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports an upstream error counter for every service', async () => {
    const samples = samplesOf(await scrape(), 'onasis_upstream_errors_total');
    expect(samples.map((s) => s.labels.service).sort()).toEqual([...SERVICES].sort());
    for (const s of samples) expect(s.value).toBeGreaterThanOrEqual(0);
  });

  it('reports requests in flight, the scrape itself included', async () => {
    const samples = samplesOf(await scrape(), 'onasis_http_requests_in_flight');
    expect(samples).toHaveLength(1);
    expect(samples[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it('counts flushes of isolate batches', async () => {
    const before = sampleValue(await scrape(), 'onasis_metrics_flushes_total');
    const after = sampleValue(await scrape(), 'onasis_metrics_flushes_total');
    expect(before).toBeGreaterThanOrEqual(1);
    expect(after).toBeGreaterThan(before);
  });
});
