import { env } from 'cloudflare:workers';
import { paypalNamespace } from '@onasis/testing/paypal-server/client';
import { describe, expect, it } from 'vitest';

// The local PayPal server over plain HTTP, for what the adapter does not exercise itself: the approval page, the
// namespaces, PayPal's default minimal answers and a request id reused for another request.
async function app() {
  const ns = paypalNamespace(env.TEST_PAYPAL_SERVER_URL);
  const res = await fetch(`${ns.apiBase}/v1/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${ns.clientId}:${ns.clientSecret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = await res.json<{ access_token: string }>();
  const api = (path: string, init: { json?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${ns.apiBase}${path}`, {
      method: init.json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
  return { ns, api };
}

const order = (value = '10.00') => ({
  intent: 'CAPTURE',
  purchase_units: [{ amount: { currency_code: 'USD', value } }],
});

describe('local PayPal server', () => {
  it("answers PayPal's minimal order by default, and the whole order with Prefer: return=representation", async () => {
    const { api } = await app();
    const minimal = await (await api('/v2/checkout/orders', { json: order() })).json<Record<string, unknown>>();
    expect(Object.keys(minimal).sort()).toEqual(['id', 'links', 'status']);
    const full = await api('/v2/checkout/orders', { json: order(), headers: { prefer: 'return=representation' } });
    expect(full.status).toBe(201);
    expect(await full.json()).toMatchObject({ intent: 'CAPTURE', purchase_units: [{ amount: { value: '10.00' } }] });
  });

  it('approves an order from the form of its approval page', async () => {
    const { api } = await app();
    const { id, links } = await (await api('/v2/checkout/orders', { json: order() })).json<{
      id: string;
      links: { rel: string; href: string }[];
    }>();
    const page = await (await fetch(String(links.find((l) => l.rel === 'approve')?.href))).text();
    expect(page).toContain(`action="/__approve/${id}"`);
    const posted = await fetch(`${env.TEST_PAYPAL_SERVER_URL}/__approve/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(posted.status).toBe(200);
    expect(await (await api(`/v2/checkout/orders/${id}`)).json()).toMatchObject({ status: 'APPROVED' });
  });

  it("keeps each client id's orders apart: another app's order is a 404 RESOURCE_NOT_FOUND", async () => {
    const mine = await app();
    const theirs = await app();
    const { id } = await (await mine.api('/v2/checkout/orders', { json: order() })).json<{ id: string }>();
    const res = await theirs.api(`/v2/checkout/orders/${id}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID' }] });
  });

  it('replays a PayPal-Request-Id, and refuses it for another request with 422', async () => {
    const { api } = await app();
    const headers = { 'paypal-request-id': crypto.randomUUID() };
    const first = await (await api('/v2/checkout/orders', { json: order(), headers })).json<{ id: string }>();
    const again = await (await api('/v2/checkout/orders', { json: order(), headers })).json<{ id: string }>();
    expect(again.id).toBe(first.id);
    const other = await api('/v2/checkout/orders', { json: order('11.00'), headers });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ details: [{ issue: 'PAYPAL_REQUEST_ID_PREVIOUSLY_USED' }] });
  });

  it('refuses decimals PayPal does not take: cents of a yen', async () => {
    const { api } = await app();
    const res = await api('/v2/checkout/orders', {
      json: { intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'JPY', value: '500.50' } }] },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ details: [{ issue: 'DECIMAL_PRECISION' }] });
  });
});
