import { exports } from 'cloudflare:workers';
import { ROUTE_POLICIES, routePolicyFor } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { describe, expect, it } from 'vitest';
import { checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

describe('payments OpenAPI part', () => {
  it('declares every route with the access the gateway enforces for it', async () => {
    const part = (await exports.PaymentsService.openapi()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(part.paths)
      .filter(([path]) => path.startsWith('/api/v1/payments'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
      );
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
      'GET /api/v1/payments/checkout-sessions/{id}',
      'GET /api/v1/payments/checkout-sessions/{id}/sandbox',
      'GET /api/v1/payments/disputes',
      'GET /api/v1/payments/disputes/{id}',
      'GET /api/v1/payments/intents',
      'GET /api/v1/payments/intents/{id}',
      'GET /api/v1/payments/intents/{id}/events',
      'GET /api/v1/payments/intents/{id}/refunds',
      'GET /api/v1/payments/invoices',
      'GET /api/v1/payments/ledger',
      'GET /api/v1/payments/ledger/verify',
      'GET /api/v1/payments/plans',
      'GET /api/v1/payments/reconciliation-runs',
      'GET /api/v1/payments/reconciliation-runs/{id}',
      'GET /api/v1/payments/subscriptions/me',
      'POST /api/v1/payments/checkout-sessions',
      'POST /api/v1/payments/checkout-sessions/{id}/sandbox/cancel',
      'POST /api/v1/payments/checkout-sessions/{id}/sandbox/pay',
      'POST /api/v1/payments/disputes/sandbox',
      'POST /api/v1/payments/disputes/{id}/sandbox/close',
      'POST /api/v1/payments/intents',
      'POST /api/v1/payments/intents/{id}/cancel',
      'POST /api/v1/payments/intents/{id}/capture',
      'POST /api/v1/payments/intents/{id}/confirm',
      'POST /api/v1/payments/intents/{id}/refunds',
      'POST /api/v1/payments/intents/{id}/sandbox/authenticate',
      'POST /api/v1/payments/subscriptions',
      'POST /api/v1/payments/subscriptions/me/cancel',
    ]);
    for (const { path, method, op } of operations) {
      expect(routePolicyFor(method, path).access, `${method} ${path}`).toBe(op[ACCESS_EXTENSION]);
    }
    const rows = ROUTE_POLICIES.filter((p) => p.path.startsWith('/api/v1/payments'));
    const rowOf = (p: { method: string; path: string }) => `${p.method} ${p.path}`;
    const used = new Set(operations.map((o) => rowOf(routePolicyFor(o.method, o.path))));
    expect(rows.filter((r) => !used.has(rowOf(r)))).toEqual([]);
  });
});
