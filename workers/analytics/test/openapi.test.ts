import { exports } from 'cloudflare:workers';
import { ROUTE_POLICIES, routePolicyFor } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { describe, expect, it } from 'vitest';

const PREFIX = '/api/v1/analytics';
const owned = (path: string) => path === PREFIX || path.startsWith(`${PREFIX}/`);

describe('analytics OpenAPI part', () => {
  it('declares every route with the access the gateway enforces for it, and uses every row of its prefix', async () => {
    const part = (await exports.AnalyticsService.openapi()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(part.paths)
      .filter(([path]) => owned(path))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
      );
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
      'DELETE /api/v1/analytics/sites/{id}',
      'GET /api/v1/analytics/platform',
      'GET /api/v1/analytics/sites',
      'GET /api/v1/analytics/sites/{id}',
      'GET /api/v1/analytics/sites/{id}/export.csv',
      'GET /api/v1/analytics/sites/{id}/funnel',
      'GET /api/v1/analytics/sites/{id}/realtime',
      'GET /api/v1/analytics/sites/{id}/retention',
      'GET /api/v1/analytics/sites/{id}/stats',
      'POST /api/v1/analytics/batch',
      'POST /api/v1/analytics/events',
      'POST /api/v1/analytics/sites',
    ]);
    for (const { path, method, op } of operations) {
      expect(routePolicyFor(method, path).access, `${method} ${path}`).toBe(op[ACCESS_EXTENSION]);
    }
    const rows = ROUTE_POLICIES.filter((p) => owned(p.path));
    const rowOf = (p: { method: string; path: string }) => `${p.method} ${p.path}`;
    const used = new Set(operations.map((o) => rowOf(routePolicyFor(o.method, o.path))));
    expect(rows.filter((r) => !used.has(rowOf(r)))).toEqual([]);
  });
});
