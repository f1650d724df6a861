import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallInit, forwardTo, problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { sites } from '../src/db/schema.js';
import { normaliseDomain } from '../src/services/domain.js';
import { ingestKeyHash } from '../src/services/ingest-keys.js';

const forward = forwardTo('analytics', () => exports.AnalyticsService);
const call = (path: string, init: CallInit, as: Principal) => forward(path, init, { principal: as });

function member(): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return {
    userId,
    sessionId: `ses_${userId}`,
    permissions: ['analytics:read', 'analytics:write'],
    via: 'access_token',
  };
}
const admin = (): Principal => ({
  ...member(),
  permissions: ['analytics:read', 'analytics:write', 'analytics:manage'],
});
const uniqueDomain = () => `s${crypto.randomUUID().slice(0, 8)}.example.org`;

interface NewSite {
  id: string;
  domain: string;
  name: string;
  timezone: string;
  ownerId: string;
  createdAt: string;
  ingestKey: string;
}

async function createSite(as: Principal, body: Record<string, unknown> = {}): Promise<NewSite> {
  const res = await call(
    '/api/v1/analytics/sites',
    { json: { domain: uniqueDomain(), name: 'Blog', timezone: 'Europe/Berlin', ...body } },
    as,
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<NewSite>();
}

describe('site domains', () => {
  it('normalises scheme, port, path, case, trailing dot, www. and IDNs', () => {
    expect(normaliseDomain('https://www.Example.COM:8443/blog?x=1')).toBe('example.com');
    expect(normaliseDomain('shop.example.co.uk.')).toBe('shop.example.co.uk');
    expect(normaliseDomain('Bücher.de')).toBe('xn--bcher-kva.de');
  });

  it('refuses what is not a host name', () => {
    for (const bad of ['', 'localhost', '127.0.0.1', 'exa mple.com', 'a_b.com', 'http://', '-x.com']) {
      expect(normaliseDomain(bad), bad).toBeNull();
    }
  });
});

describe('sites', () => {
  it('creates a site whose ingest key is answered once and stored only as its SHA-256', async () => {
    const alice = member();
    const site = await createSite(alice, { domain: 'https://WWW.Alice-Blog.example.net/' });
    expect(site).toMatchObject({ domain: 'alice-blog.example.net', name: 'Blog', timezone: 'Europe/Berlin' });
    expect(site.id).toMatch(/^sit_[0-9a-f]{32}$/);
    expect(site.ownerId).toBe(alice.userId);
    expect(site.ingestKey).toMatch(/^oak_[0-9a-f]{48}$/);
    const row = await dbOf(env.DB).select().from(sites).where(eq(sites.id, site.id)).get();
    expect(row?.ingestKeyHash).toBe(await ingestKeyHash(site.ingestKey));

    const one = await call(`/api/v1/analytics/sites/${site.id}`, {}, alice);
    expect(one.status).toBe(200);
    const text = await one.text();
    expect(text).not.toContain(site.ingestKey);
    expect(text).not.toContain(row?.ingestKeyHash);
    const { ingestKey: _, ...view } = site;
    expect(JSON.parse(text)).toEqual(view);
    const list = await call('/api/v1/analytics/sites', {}, alice);
    expect(await list.json()).toEqual({ data: [view], nextCursor: null });
  });

  it('answers 409 SITE_DOMAIN_TAKEN for a live domain, also on a retried create, and frees it on delete', async () => {
    const alice = member();
    const domain = uniqueDomain();
    const first = await createSite(alice, { domain });
    const again = await call('/api/v1/analytics/sites', { json: { domain, name: 'Blog', timezone: 'UTC' } }, alice);
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe('SITE_DOMAIN_TAKEN');
    const bob = await call(
      '/api/v1/analytics/sites',
      { json: { domain: `www.${domain}`, name: 'x', timezone: 'UTC' } },
      member(),
    );
    expect(bob.status).toBe(409);

    expect((await call(`/api/v1/analytics/sites/${first.id}`, { method: 'DELETE' }, alice)).status).toBe(204);
    const reborn = await createSite(alice, { domain });
    expect(reborn.id).not.toBe(first.id);
  });

  it('lets only one of concurrent creates of a domain win', async () => {
    const domain = uniqueDomain();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('/api/v1/analytics/sites', { json: { domain, name: 'x', timezone: 'UTC' } }, member()),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it('answers 400 VALIDATION_FAILED for a bad domain, time zone, name or unknown field, and creates nothing', async () => {
    const alice = member();
    const cases: [Record<string, unknown>, string][] = [
      [{ domain: 'not a domain', name: 'x', timezone: 'UTC' }, 'domain'],
      [{ domain: uniqueDomain(), name: 'x', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ domain: uniqueDomain(), name: '  ', timezone: 'UTC' }, 'name'],
      [{ domain: uniqueDomain(), name: 'x', timezone: 'UTC', plan: 'pro' }, ''],
      [{ name: 'x', timezone: 'UTC' }, 'domain'],
    ];
    for (const [body, path] of cases) {
      const res = await call('/api/v1/analytics/sites', { json: body }, alice);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('VALIDATION_FAILED');
      if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const list = await call('/api/v1/analytics/sites', {}, alice);
    expect((await list.json<{ data: unknown[] }>()).data).toEqual([]);
  });

  it('creates a site for another owner only with analytics:manage (others get 403)', async () => {
    const bob = member();
    const refused = await call(
      '/api/v1/analytics/sites',
      { json: { domain: uniqueDomain(), name: 'x', timezone: 'UTC', ownerId: bob.userId } },
      member(),
    );
    expect(refused.status).toBe(403);
    const mine = await createSite(bob, { ownerId: bob.userId });
    expect(mine.ownerId).toBe(bob.userId);
    const forBob = await createSite(admin(), { ownerId: bob.userId });
    expect(forBob.ownerId).toBe(bob.userId);
    const listed = await call('/api/v1/analytics/sites', {}, bob);
    expect((await listed.json<{ data: { id: string }[] }>()).data.map((s) => s.id)).toEqual([forBob.id, mine.id]);
  });

  it('answers 404 for another user’s site on get and delete, and leaves it alone', async () => {
    const alice = member();
    const site = await createSite(alice);
    const mallory = member();
    expect((await call(`/api/v1/analytics/sites/${site.id}`, {}, mallory)).status).toBe(404);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE' }, mallory)).status).toBe(404);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, {}, alice)).status).toBe(200);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, {}, admin())).status).toBe(200);
  });

  it('deletes a site once: it leaves the list, a repeat is 404, the row keeps deleted_at for the purge', async () => {
    const alice = member();
    const site = await createSite(alice);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE' }, alice)).status).toBe(204);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, { method: 'DELETE' }, alice)).status).toBe(404);
    expect((await call(`/api/v1/analytics/sites/${site.id}`, {}, alice)).status).toBe(404);
    const list = await call('/api/v1/analytics/sites', {}, alice);
    expect((await list.json<{ data: unknown[] }>()).data).toEqual([]);
    const row = await dbOf(env.DB).select().from(sites).where(eq(sites.id, site.id)).get();
    expect(row?.deletedAt).toBeTruthy();
  });

  it('pages the list newest first with a cursor; analytics:manage sees other owners’ sites', async () => {
    const alice = member();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createSite(alice));
    const first = await call('/api/v1/analytics/sites?limit=2', {}, alice);
    const page1 = await first.json<{ data: { id: string }[]; nextCursor: string | null }>();
    expect(page1.data.map((s) => s.id)).toEqual([made[2]?.id, made[1]?.id]);
    expect(page1.nextCursor).toBeTruthy();
    const second = await call(`/api/v1/analytics/sites?limit=2&cursor=${page1.nextCursor}`, {}, alice);
    const page2 = await second.json<{ data: { id: string }[]; nextCursor: string | null }>();
    expect(page2).toEqual({ data: [expect.objectContaining({ id: made[0]?.id })], nextCursor: null });
    expect((await call('/api/v1/analytics/sites?cursor=nonsense', {}, alice)).status).toBe(400);
    expect((await call('/api/v1/analytics/sites?limit=0', {}, alice)).status).toBe(400);

    const all = await call('/api/v1/analytics/sites?limit=100', {}, admin());
    const ids = (await all.json<{ data: { id: string }[] }>()).data.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(made.map((s) => s.id)));
  });

  it('needs analytics:write to create and delete, analytics:read to read', async () => {
    const reader: Principal = { ...member(), permissions: ['analytics:read'] };
    const create = await call(
      '/api/v1/analytics/sites',
      { json: { domain: uniqueDomain(), name: 'x', timezone: 'UTC' } },
      reader,
    );
    expect(create.status).toBe(403);
    expect((await call('/api/v1/analytics/sites', {}, reader)).status).toBe(200);
    const nobody: Principal = { ...member(), permissions: [] };
    expect((await call('/api/v1/analytics/sites', {}, nobody)).status).toBe(403);
    expect((await forward('/api/v1/analytics/sites', {})).status).toBe(401);
  });
});
