import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { collector, FLUSH_EVERY_REQUESTS } from '../src/metrics/collector.js';
import { fetchWith } from './helpers.js';

const get = (path: string, init?: RequestInit) => exports.default.fetch(`http://gateway${path}`, init);

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const res = await get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return res.text();
}

describe('GET /metrics', () => {
  it('counts requests by method, route template and status across a scrape', async () => {
    const before = await scrape();
    const base = sample(before, 'onasis_http_requests_total', { route: '/.well-known/jwks.json', status: '200' }) ?? 0;
    for (let i = 0; i < 3; i++) await get('/.well-known/jwks.json');
    await get('/auth/fil_123/whatever');
    const text = await scrape();
    expect(
      sample(text, 'onasis_http_requests_total', { method: 'GET', route: '/.well-known/jwks.json', status: '200' }),
    ).toBe(base + 3);
    // Unknown paths are folded into one label so that scanners cannot grow the series set.
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('fil_123');
  });

  it('exposes a latency histogram with cumulative buckets ending in +Inf', async () => {
    await get('/health');
    const text = await scrape();
    const labels = { method: 'GET', route: '/health' };
    const inf = sample(text, 'onasis_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' });
    const count = sample(text, 'onasis_http_request_duration_seconds_count', labels);
    expect(inf).toBeGreaterThan(0);
    expect(inf).toBe(count);
    const small = sample(text, 'onasis_http_request_duration_seconds_bucket', { ...labels, le: '0.005' }) ?? -1;
    expect(small).toBeLessThanOrEqual(inf ?? 0);
    expect(text).toContain('# TYPE onasis_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE onasis_http_requests_in_flight gauge');
  });

  it('counts upstream errors per service', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = sample(await scrape(), 'onasis_upstream_errors_total', { service: 'payments' }) ?? 0;
    // A public payments path: the call reaches the service without credentials.
    await fetchWith({ PAYMENTS: env.FAULT_THROWS }, '/webhooks/stripe', { method: 'POST' });
    await fetchWith({ PAYMENTS: env.FAULT_DEGRADED }, '/webhooks/stripe', { method: 'POST' });
    spy.mockRestore();
    const text = await scrape();
    expect(sample(text, 'onasis_upstream_errors_total', { service: 'payments' })).toBe(before + 2);
    expect(sample(text, 'onasis_upstream_errors_total', { service: 'jobs' })).toBeGreaterThanOrEqual(0);
  });

  it('sends counts to the metrics Durable Object in batches, not once per request', async () => {
    await scrape();
    const flushesBefore = sample(await scrape(), 'onasis_metrics_flushes_total', {}) ?? 0;
    const burst = Math.min(40, FLUSH_EVERY_REQUESTS - 1);
    for (let i = 0; i < burst; i++) await get('/.well-known/openid-configuration');
    expect(collector.due()).toBe(false);
    const flushesAfter = sample(await scrape(), 'onasis_metrics_flushes_total', {}) ?? 0;
    // Only the second scrape's own flush reached the DO: the burst itself made no DO call.
    expect(flushesAfter - flushesBefore).toBe(1);
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const denied = await fetchWith({ METRICS_TOKEN: 'scrape-secret' }, '/metrics', {
      headers: { authorization: 'Bearer wrong' },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Bearer');
    expect(await denied.text()).not.toContain('scrape-secret');
    const allowed = await fetchWith({ METRICS_TOKEN: 'scrape-secret' }, '/metrics', {
      headers: { authorization: 'Bearer scrape-secret' },
    });
    expect(allowed.status).toBe(200);
  });

  it('stays closed outside local development until a token is configured', async () => {
    const res = await fetchWith({ ENVIRONMENT: 'production', METRICS_TOKEN: '' }, '/metrics');
    expect(res.status).toBe(403);
  });
});

describe('Analytics Engine', () => {
  it('writes one data point per request where the dataset is bound, labelled by route template', async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const dataset = { writeDataPoint: (point: AnalyticsEngineDataPoint) => points.push(point) };
    await fetchWith({ REQUEST_ANALYTICS: dataset }, '/.well-known/jwks.json?x=1');
    await fetchWith({ REQUEST_ANALYTICS: dataset }, '/no/such/path');
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({
      indexes: ['/.well-known/jwks.json'],
      blobs: ['GET', '/.well-known/jwks.json', '200', 'identity'],
    });
    expect(points[0]?.doubles?.[1]).toBe(200);
    expect(points[1]?.blobs).toEqual(['GET', 'unmatched', '404', 'gateway']);
  });
});
