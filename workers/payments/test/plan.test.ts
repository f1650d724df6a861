import { describe, expect, it } from 'vitest';
import { call } from './helpers.js';

describe('GET /api/v1/payments/plans', () => {
  it('lists the plans of PAYMENT_PLANS without provider price ids', async () => {
    const res = await call('/api/v1/payments/plans');
    expect(res.status).toBe(200);
    const body = await res.json<{ data: Record<string, unknown>[] }>();
    expect(body.data).toEqual([{ id: 'pro', name: 'Pro', amount: 2000, currency: 'usd', interval: 'month' }]);
    expect(JSON.stringify(body)).not.toContain('price_');
  });
});
