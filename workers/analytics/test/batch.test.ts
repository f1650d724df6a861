import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallContext, eventually, forwardTo, problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { events } from '../src/db/schema.js';
import { localTime } from '../src/services/site-time.js';
import { sendRuns } from '../src/services/track-batch.js';

const forward = forwardTo('analytics', () => exports.AnalyticsService);
const db = () => dbOf(env.DB);
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const HOUR = 60 * 60 * 1000;
const server: CallContext = { clientIp: '192.0.2.10', country: 'NL' };

function owner(): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return {
    userId,
    sessionId: `ses_${userId}`,
    permissions: ['analytics:read', 'analytics:write'],
    via: 'access_token',
  };
}

async function newSite(timezone = 'UTC') {
  const as = owner();
  const domain = `b${crypto.randomUUID().slice(0, 8)}.example.org`;
  const res = await forward('/api/v1/analytics/sites', { json: { domain, name: 'x', timezone } }, { principal: as });
  expect(res.status).toBe(201);
  return { ...(await res.json<{ id: string; domain: string; ingestKey: string }>()), as };
}

const send = (key: string | null, body: unknown, headers: Record<string, string> = {}, context = server) =>
  forward(
    '/api/v1/analytics/batch',
    {
      json: body,
      headers: { 'user-agent': UA, ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    },
    context,
  );

const eventsOf = (siteId: string) => db().select().from(events).where(eq(events.siteId, siteId)).all();
const storedFor = (siteId: string, count: number) =>
  eventually(async () => {
    const rows = await eventsOf(siteId);
    return rows.length >= count && rows;
  });
const page = (domain: string, extra: Record<string, unknown> = {}) => ({
  name: 'pageview',
  url: `https://${domain}/docs`,
  ...extra,
});

describe('POST /api/v1/analytics/batch', () => {
  it('answers 401 INVALID_INGEST_KEY without the key, with a wrong one, or with a deleted site’s', async () => {
    const site = await newSite();
    const body = { events: [page(site.domain)] };
    for (const key of [null, 'oak_0000', `${site.ingestKey}x`]) {
      const res = await send(key, body);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('INVALID_INGEST_KEY');
    }
    const bad = await send(null, { events: 'not even a list' });
    expect(bad.status).toBe(401);
    await forward(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE' }, { principal: site.as });
    expect((await send(site.ingestKey, body)).status).toBe(401);
  });

  it('queues every event with its timestamp, user id and site-local day and hour, answering how many', async () => {
    const site = await newSite('Asia/Tokyo');
    const ts = Date.now() - 30 * HOUR;
    const res = await send(site.ingestKey, {
      events: [
        page(site.domain, { timestamp: new Date(ts).toISOString(), userId: 'usr_42', id: 'a-1' }),
        page(site.domain, { name: 'Signup', props: { plan: 'pro' }, revenue: { currency: 'USD', amount: 12 } }),
      ],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    const rows = await storedFor(site.id, 2);
    const identified = rows.find((r) => r.userId === 'usr_42');
    expect(identified).toMatchObject({ id: `${site.id}:a-1`, ts, ...localTime(ts, 'Asia/Tokyo'), country: 'NL' });
    expect(rows.find((r) => r.name === 'Signup')).toMatchObject({
      userId: null,
      revenue: 1200,
      currency: 'usd',
      props: { plan: 'pro' },
    });
  });

  it('stores each event of a batch sent twice once, by the ids its sender gave', async () => {
    const site = await newSite();
    const body = { events: [page(site.domain, { id: 'x-1' }), page(site.domain, { id: 'x-2', name: 'Download' })] };
    expect((await send(site.ingestKey, body)).status).toBe(202);
    expect((await send(site.ingestKey, body)).status).toBe(202);
    // The marker comes after both sends: once it is stored, both copies of the batch have been consumed.
    expect((await send(site.ingestKey, { events: [page(site.domain, { id: 'marker' })] })).status).toBe(202);
    await eventually(async () => (await eventsOf(site.id)).some((r) => r.id === `${site.id}:marker`));
    const ids = (await eventsOf(site.id)).map((r) => r.id).sort();
    expect(ids).toEqual([`${site.id}:marker`, `${site.id}:x-1`, `${site.id}:x-2`]);
  });

  it('answers 400 naming the bad event and queues none of the batch', async () => {
    const site = await newSite();
    const good = (i: number) => page(site.domain, { id: `g-${i}` });
    const cases: [unknown, string][] = [
      [
        {
          events: [
            good(0),
            good(1),
            good(2),
            page(site.domain, { timestamp: new Date(Date.now() - 49 * HOUR).toISOString() }),
          ],
        },
        'events.3.timestamp',
      ],
      [
        { events: [good(0), page(site.domain, { timestamp: new Date(Date.now() + 10 * 60_000).toISOString() })] },
        'events.1.timestamp',
      ],
      [{ events: [page(site.domain, { timestamp: 'yesterday' })] }, 'events.0.timestamp'],
      [{ events: [good(0), page(site.domain, { id: 'x'.repeat(129) })] }, 'events.1.id'],
      [{ events: [good(0), page(site.domain, { url: 'nope' })] }, 'events.1.url'],
      [{ events: [good(0), page(site.domain, { userId: '' })] }, 'events.1.userId'],
      [{ events: [good(0), page(site.domain, { props: { n: 1 } })] }, 'events.1.props.n'],
      [{ events: [] }, 'events'],
      [{ events: Array.from({ length: 101 }, (_, i) => good(i)) }, 'events'],
      [{}, 'events'],
    ];
    for (const [body, path] of cases) {
      const res = await send(site.ingestKey, body);
      expect(res.status, path).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const malformed = await forward(
      '/api/v1/analytics/batch',
      {
        method: 'POST',
        body: '{"events":[',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${site.ingestKey}` },
      },
      server,
    );
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).code).toBe('MALFORMED_JSON');
    const plain = await forward(
      '/api/v1/analytics/batch',
      {
        method: 'POST',
        body: JSON.stringify({ events: [good(9)] }),
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${site.ingestKey}` },
      },
      server,
    );
    expect(plain.status).toBe(415);

    expect((await send(site.ingestKey, { events: [page(site.domain, { id: 'marker' })] })).status).toBe(202);
    const rows = await storedFor(site.id, 1);
    expect(rows.map((r) => r.id)).toEqual([`${site.id}:marker`]);
  });

  it('accepts a full batch of 100 events at the 48-hour edge', async () => {
    const site = await newSite();
    const edge = new Date(Date.now() - 47.9 * HOUR).toISOString();
    const body = {
      events: Array.from({ length: 100 }, (_, i) => page(site.domain, { id: `e-${i}`, timestamp: edge })),
    };
    const res = await send(site.ingestKey, body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 100 });
    expect(await storedFor(site.id, 100)).toHaveLength(100);
  });

  it('hashes the visitor from X-Forwarded-For and User-Agent when a server passes them', async () => {
    const site = await newSite();
    const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' };
    await send(site.ingestKey, { events: [page(site.domain, { id: 'v-1' })] }, forwarded, { clientIp: '192.0.2.1' });
    await send(site.ingestKey, { events: [page(site.domain, { id: 'v-2' })] }, forwarded, { clientIp: '192.0.2.2' });
    await send(site.ingestKey, { events: [page(site.domain, { id: 'v-3' })] }, {}, { clientIp: '192.0.2.1' });
    const rows = await storedFor(site.id, 3);
    const byId = new Map(rows.map((r) => [r.id.split(':')[1], r]));
    expect(byId.get('v-1')?.visitorId).toBe(byId.get('v-2')?.visitorId);
    expect(byId.get('v-3')?.visitorId).not.toBe(byId.get('v-1')?.visitorId);
    // An end user's forwarded address cannot be located: no country rather than the server's.
    expect(byId.get('v-1')?.country).toBe('');
  });
});

describe('send runs', () => {
  it('keeps an ordinary batch in one run and splits one over 240 KB without losing or reordering', () => {
    const small = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(500) }));
    expect(sendRuns(small)).toEqual([small]);
    const large = Array.from({ length: 10 }, (_, i) => ({ i, pad: 'x'.repeat(60_000) }));
    const runs = sendRuns(large);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.flat()).toEqual(large);
    for (const run of runs) expect(JSON.stringify(run).length).toBeLessThanOrEqual(240_000 + 2 + run.length);
  });
});
