import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallContext, type CallInit, eventually, forwardTo, problemOf } from '@onasis/testing';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { events, ingestDrops } from '../src/db/schema.js';
import { utcDay } from '../src/durable-objects/visitor-salts.js';
import { messagesForPageEvent, PageEventSchema } from '../src/services/track-page-event.js';

const forward = forwardTo('analytics', () => exports.AnalyticsService);
const db = () => dbOf(env.DB);
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const visitor: CallContext = { clientIp: '198.51.100.7', country: 'FR' };

function owner(): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return {
    userId,
    sessionId: `ses_${userId}`,
    permissions: ['analytics:read', 'analytics:write'],
    via: 'access_token',
  };
}

/** A new site on a fresh domain, created through the API. */
async function newSite(timezone = 'UTC', as = owner()) {
  const domain = `t${crypto.randomUUID().slice(0, 8)}.example.org`;
  const res = await forward('/api/v1/analytics/sites', { json: { domain, name: 'x', timezone } }, { principal: as });
  expect(res.status).toBe(201);
  return { ...(await res.json<{ id: string; domain: string }>()), as };
}

/** POSTs a tracker body as the script does: JSON text as `text/plain`. */
const track = (body: unknown, headers: Record<string, string> = { 'user-agent': FIREFOX }, context = visitor) =>
  forward(
    '/api/v1/analytics/events',
    {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'text/plain', ...headers },
    } satisfies CallInit,
    context,
  );

const eventsOf = (siteId: string) => db().select().from(events).where(eq(events.siteId, siteId)).all();
const storedFor = (siteId: string, count: number) =>
  eventually(async () => {
    const rows = await eventsOf(siteId);
    return rows.length >= count && rows;
  });

async function dropCount(reason: 'bot' | 'no_user_agent' | 'unknown_domain') {
  const row = await db()
    .select()
    .from(ingestDrops)
    .where(and(eq(ingestDrops.date, utcDay(Date.now())), eq(ingestDrops.reason, reason)))
    .get();
  return row?.count ?? 0;
}

describe('POST /api/v1/analytics/events', () => {
  it('answers 202 with no body and stores the enriched event', async () => {
    const site = await newSite();
    const res = await track({
      name: 'pageview',
      url: `https://www.${site.domain}/pricing?utm_source=newsletter&utm_medium=email`,
      domain: site.domain,
      referrer: 'https://www.google.de/search?q=secret',
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const [row] = await storedFor(site.id, 1);
    expect(row).toMatchObject({
      name: 'pageview',
      hostname: site.domain,
      pathname: '/pricing',
      referrer: 'google.de/search',
      source: 'newsletter',
      utmSource: 'newsletter',
      utmMedium: 'email',
      country: 'FR',
      device: 'desktop',
      browser: 'Firefox',
      os: 'Linux',
      userId: null,
      props: null,
    });
    expect(row?.visitorId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('accepts application/json, Plausible’s short keys, props and revenue', async () => {
    const site = await newSite();
    const res = await forward(
      '/api/v1/analytics/events',
      {
        json: {
          n: 'Purchase',
          u: `https://${site.domain}/checkout`,
          d: site.domain,
          p: { plan: 'pro' },
          $: { currency: 'EUR', amount: '49.90' },
        },
        headers: { 'user-agent': FIREFOX },
      },
      visitor,
    );
    expect(res.status).toBe(202);
    const [row] = await storedFor(site.id, 1);
    expect(row).toMatchObject({
      name: 'Purchase',
      pathname: '/checkout',
      props: { plan: 'pro' },
      revenue: 4990,
      currency: 'eur',
    });
  });

  it('counts a resent page view twice, as Plausible does: a hit carries no id to deduplicate by', async () => {
    const site = await newSite();
    const body = { name: 'pageview', url: `https://${site.domain}/`, domain: site.domain };
    expect((await track(body)).status).toBe(202);
    expect((await track(body)).status).toBe(202);
    const rows = await storedFor(site.id, 2);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    expect(new Set(rows.map((r) => r.visitorId)).size).toBe(1);
  });

  it('stores one event per known site of a comma-separated domain list, ignoring unknown ones', async () => {
    const [a, b] = [await newSite(), await newSite()];
    const res = await track({
      name: 'pageview',
      url: `https://${a.domain}/`,
      domain: `${a.domain},nowhere.example.invalid, ${b.domain}`,
    });
    expect(res.status).toBe(202);
    const [rowA] = await storedFor(a.id, 1);
    const [rowB] = await storedFor(b.id, 1);
    expect(rowA?.id).not.toBe(rowB?.id);
  });

  it('drops and counts a missing User-Agent, a bot and an unknown domain, answering 202 all the same', async () => {
    const site = await newSite();
    const before = {
      no_user_agent: await dropCount('no_user_agent'),
      bot: await dropCount('bot'),
      unknown_domain: await dropCount('unknown_domain'),
    };
    const body = { name: 'pageview', url: `https://${site.domain}/`, domain: site.domain };
    expect((await track(body, {})).status).toBe(202);
    expect(
      (await track(body, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }))
        .status,
    ).toBe(202);
    expect((await track({ ...body, domain: 'unknown-site.example.invalid' })).status).toBe(202);
    await eventually(
      async () =>
        (await dropCount('no_user_agent')) > before.no_user_agent &&
        (await dropCount('bot')) > before.bot &&
        (await dropCount('unknown_domain')) > before.unknown_domain,
    );
    // A real visit after the drops: once it is stored, the dropped ones would have been too.
    expect((await track(body)).status).toBe(202);
    expect(await storedFor(site.id, 1)).toHaveLength(1);
  });

  it('answers 400 for a malformed body or a field of the wrong type, and queues nothing', async () => {
    const site = await newSite();
    const ok = { name: 'pageview', url: `https://${site.domain}/`, domain: site.domain };
    const malformed = await track('{"name":');
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).code).toBe('MALFORMED_JSON');
    const cases: [unknown, string][] = [
      [{ ...ok, name: '' }, 'name'],
      [{ ...ok, name: 'x'.repeat(121) }, 'name'],
      [{ ...ok, url: '/relative' }, 'url'],
      [{ ...ok, url: 'ftp://example.com/' }, 'url'],
      [{ ...ok, domain: 42 }, 'domain'],
      [{ ...ok, props: { count: 3 } }, 'props.count'],
      [{ ...ok, revenue: { currency: 'EUR', amount: 'lots' } }, 'revenue.amount'],
      [{ url: ok.url, domain: ok.domain }, 'name'],
      [[ok], ''],
    ];
    for (const [body, path] of cases) {
      const res = await track(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('VALIDATION_FAILED');
      if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    expect((await track({ ...ok, name: 'marker' })).status).toBe(202);
    const rows = await storedFor(site.id, 1);
    expect(rows.map((r) => r.name)).toEqual(['marker']);
  });

  it('stops accepting a deleted site’s domain (in the deleting isolate at once, elsewhere within a minute)', async () => {
    const site = await newSite();
    const other = await newSite();
    const body = { name: 'pageview', url: `https://${site.domain}/`, domain: site.domain };
    expect((await track(body)).status).toBe(202);
    await storedFor(site.id, 1);
    const del = await forward(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE' }, { principal: site.as });
    expect(del.status).toBe(204);
    expect((await track(body)).status).toBe(202);
    expect((await track({ ...body, domain: other.domain })).status).toBe(202);
    await storedFor(other.id, 1);
    expect(await eventsOf(site.id)).toHaveLength(1);
    const messages = await messagesForPageEvent(env, db(), PageEventSchema.parse(body), {
      ip: '198.51.100.7',
      userAgent: FIREFOX,
      country: undefined,
    });
    expect(messages).toEqual([{ kind: 'drop', reason: 'unknown_domain', date: utcDay(Date.now()) }]);
  });

  it('dates an event in the site’s time zone', async () => {
    const site = await newSite('America/Bogota');
    const today = Date.parse(`${utcDay(Date.now())}T03:30:00Z`);
    const ts = today <= Date.now() ? today : today - 24 * 60 * 60 * 1000;
    const [message] = await messagesForPageEvent(
      env,
      db(),
      PageEventSchema.parse({ name: 'pageview', url: `https://${site.domain}/`, domain: site.domain }),
      { ip: '198.51.100.7', userAgent: FIREFOX, country: 'CO' },
      ts,
    );
    // 03:30 UTC is 22:30 of the day before in Bogotá (UTC−5 all year).
    expect(message).toMatchObject({ kind: 'event', siteId: site.id, ts, date: utcDay(ts - 5 * 3600_000), hour: 22 });
  });
});
