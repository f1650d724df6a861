import { describe, expect, it } from 'vitest';
import { api, expectProblem, unique } from './support/http.js';
import { adminToken, bearer, jsonRequest, registeredUser } from './support/identity.js';

interface Site {
  id: string;
  domain: string;
  ingestKey?: string;
}

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** What the page's tracking script sends: text/plain from the site's own origin, no credentials. */
function track(domain: string, userAgent: string, body: Record<string, unknown>): Promise<Response> {
  return api('/api/v1/analytics/events', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': userAgent, origin: `https://${domain}` },
    body: JSON.stringify({ domain, ...body }),
  });
}

/** The stats answer once `done` holds for it, polling as a dashboard would while the queue consumer catches up. */
async function statsWhen<T>(token: string, path: string, done: (body: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api(path, { headers: bearer(token) });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as T;
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`${path} never settled: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('analytics through the gateway', () => {
  it('counts a site’s pageviews, custom events and batch from ingest to rollups, for its owner only', async () => {
    const owner = (await registeredUser()).tokens.accessToken;
    const domain = `${unique('shop')}.example`;
    const created = await api('/api/v1/analytics/sites', {
      ...jsonRequest('POST', { domain, name: 'Shop', timezone: 'Europe/Berlin' }),
      headers: { ...bearer(owner), 'content-type': 'application/json' },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const site = (await created.json()) as Site;
    expect(site.ingestKey).toEqual(expect.any(String));
    const again = await api(`/api/v1/analytics/sites/${site.id}`, { headers: bearer(owner) });
    expect(await again.json()).not.toHaveProperty('ingestKey');

    const base = `https://${domain}`;
    for (const [ua, path] of [
      [CHROME, '/'],
      [CHROME, '/pricing'],
      [SAFARI_IPHONE, '/pricing'],
    ] as const) {
      const res = await track(domain, ua, {
        name: 'pageview',
        url: `${base}${path}`,
        referrer: 'https://www.google.com/',
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
    expect((await track(domain, CHROME, { name: 'Signup', url: `${base}/pricing` })).status).toBe(202);
    // Dropped, yet answered as if counted: a bot, a request without User-Agent, a domain nobody tracks.
    expect((await track(domain, GOOGLEBOT, { name: 'pageview', url: `${base}/` })).status).toBe(202);
    const anonymous = await api('/api/v1/analytics/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': '' },
      body: JSON.stringify({ domain, name: 'pageview', url: `${base}/` }),
    });
    expect(anonymous.status).toBe(202);
    expect(
      (await track('nobody-tracks-this.example', CHROME, { name: 'pageview', url: 'https://x.example/' })).status,
    ).toBe(202);

    const batch = await api('/api/v1/analytics/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${site.ingestKey}`, 'content-type': 'application/json', 'user-agent': CHROME },
      body: JSON.stringify({
        events: [
          { name: 'Purchase', url: `${base}/checkout`, userId: 'customer-1', revenue: { currency: 'EUR', amount: 49 } },
        ],
      }),
    });
    expect(batch.status, await batch.clone().text()).toBe(202);
    const wrongKey = await api('/api/v1/analytics/batch', {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-key', 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ name: 'x', url: `${base}/` }] }),
    });
    await expectProblem(wrongKey, 401, 'INVALID_INGEST_KEY');

    const stats = `/api/v1/analytics/sites/${site.id}/stats?period=day&metrics=visitors,pageviews,events,revenue`;
    const totals = await statsWhen<{ data: Record<string, number> }>(owner, stats, (b) => b.data.events === 2);
    expect(totals.data).toEqual({ visitors: 2, pageviews: 3, events: 2, revenue: 4900 });

    const pages = await statsWhen<{ data: { value: string; pageviews: number }[] }>(
      owner,
      `/api/v1/analytics/sites/${site.id}/stats?period=day&metrics=pageviews&dimension=page`,
      (b) => b.data.length > 0,
    );
    // A page row also holds a page that only sent custom events (the purchase on /checkout): no pageviews of its own.
    expect(pages.data).toEqual([
      { value: '/pricing', pageviews: 2 },
      { value: '/', pageviews: 1 },
      { value: '/checkout', pageviews: 0 },
    ]);
    const sources = await api(`/api/v1/analytics/sites/${site.id}/stats?period=day&dimension=source`, {
      headers: bearer(owner),
    });
    expect(((await sources.json()) as { data: { value: string }[] }).data.map((r) => r.value)).toContain('Google');

    const stranger = (await registeredUser()).tokens.accessToken;
    await expectProblem(await api(stats, { headers: bearer(stranger) }), 404, 'NOT_FOUND');
    await expectProblem(
      await api(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE', headers: bearer(stranger) }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(
      await api(`/api/v1/analytics/sites/${site.id}/stats?period=fortnight`, { headers: bearer(owner) }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('counts a new account among the platform’s signups, for admins only', async () => {
    const admin = await adminToken();
    const path = '/api/v1/analytics/platform?metrics=signups&period=day';
    const before = ((await (await api(path, { headers: bearer(admin) })).json()) as { data: { signups: number } }).data
      .signups;
    const member = await registeredUser();
    await statsWhen<{ data: { signups: number } }>(admin, path, (b) => b.data.signups >= before + 1);
    await expectProblem(await api(path, { headers: bearer(member.tokens.accessToken) }), 403, 'FORBIDDEN');
  });
});
