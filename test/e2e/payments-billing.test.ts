import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { bearer, jsonRequest, registeredUser, type Tokens } from './support/identity.js';
import { expectLedgerBalanced, reaches } from './support/payments.js';

// Checkout and subscriptions through the gateway with the sandbox provider: the buyer's page is served by the
// platform itself, and a subscription sets the user's plan in identity, which the gateway's quota follows.
const SHOP = 'https://shop.example';

async function quotaLimit(accessToken: string): Promise<string | null> {
  const res = await api('/api/v1/users/me', { headers: bearer(accessToken) });
  expect(res.status).toBe(200);
  return res.headers.get('x-quota-limit');
}

describe('checkout and subscriptions through the gateway (sandbox provider)', () => {
  it("pays a checkout on the sandbox's page and lands the buyer on the success URL", async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const created = await api(
      '/api/v1/payments/checkout-sessions',
      jsonRequest(
        'POST',
        {
          mode: 'payment',
          lineItems: [{ name: 'Onasis mug', amount: 1500, currency: 'usd', quantity: 2 }],
          successUrl: `${SHOP}/thanks`,
          cancelUrl: `${SHOP}/cart`,
        },
        bearer(token),
      ),
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const session = (await created.json()) as { id: string; url: string; amountTotal: number; status: string };
    expect(session).toMatchObject({ status: 'open', amountTotal: 3000 });

    // The buyer's browser, without the client's token: the page, then its Pay button.
    const page = await api(session.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('SANDBOX');
    expect(html).toContain('Onasis mug');
    const paid = await api(`${session.url}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`${SHOP}/thanks`);

    const deadline = Date.now() + 15_000;
    let completed: { status: string; paymentId: string | null } = { status: 'open', paymentId: null };
    while (completed.status !== 'complete' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      completed = (await (
        await api(`/api/v1/payments/checkout-sessions/${session.id}`, { headers: bearer(token) })
      ).json()) as typeof completed;
    }
    expect(completed.status).toBe('complete');
    expect((await reaches(token, completed.paymentId ?? '', 'succeeded')).amountCaptured).toBe(3000);

    const stranger = (await registeredUser()).tokens.accessToken;
    await expectProblem(
      await api(`/api/v1/payments/checkout-sessions/${session.id}`, { headers: bearer(stranger) }),
      404,
      'NOT_FOUND',
    );
    await expectLedgerBalanced();
  });

  it("subscribes to pro, which raises the user's plan and the gateway's quota at the next refresh", async () => {
    const { tokens } = await registeredUser();
    expect(await quotaLimit(tokens.accessToken)).toBe('10000');
    const plans = (await (await api('/api/v1/payments/plans', { headers: bearer(tokens.accessToken) })).json()) as {
      data: { id: string; amount: number }[];
    };
    expect(plans.data).toEqual([expect.objectContaining({ id: 'pro', amount: 2000 })]);

    const subscribed = await api(
      '/api/v1/payments/subscriptions',
      jsonRequest('POST', { plan: 'pro' }, bearer(tokens.accessToken)),
    );
    expect(subscribed.status, await subscribed.clone().text()).toBe(201);
    expect(await subscribed.json()).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: false });
    await expectProblem(
      await api('/api/v1/payments/subscriptions', jsonRequest('POST', { plan: 'pro' }, bearer(tokens.accessToken))),
      409,
      'CONFLICT',
    );

    // Access tokens carry the plan: the next one, from a refresh, has pro's quota.
    const refreshed = await api('/auth/refresh', jsonRequest('POST', { refreshToken: tokens.refreshToken }));
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Tokens;
    expect(await quotaLimit(next.accessToken)).toBe('1000000');

    const canceled = await api(
      '/api/v1/payments/subscriptions/me/cancel',
      jsonRequest('POST', {}, bearer(next.accessToken)),
    );
    expect(canceled.status, await canceled.clone().text()).toBe(200);
    expect(await canceled.json()).toMatchObject({ status: 'active', cancelAtPeriodEnd: true });
    await expectLedgerBalanced();
  });
});
