import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { publicLinks } from '../src/db/schema.js';
import { tokenHash } from '../src/services/signing.js';
import { bytesOf, call, db, member, storedFile } from './support/read-fixtures.js';

type Who = ReturnType<typeof member>;
interface NewLink {
  id: string;
  url: string;
  expiresAt: string | null;
  createdAt: string;
}
const create = (id: string, as: Who, json: unknown = {}) => call(`/api/v1/files/${id}/public-links`, { json }, as);
const open = (url: string, headers: Record<string, string> = {}) => call(new URL(url).pathname, { headers });

async function link(id: string, as: Who, json: unknown = {}): Promise<NewLink> {
  const res = await create(id, as, json);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<NewLink>();
}

describe('public links', () => {
  it('serves the file without a token, storing only the hash of its token', async () => {
    const owner = member('linker');
    const file = await storedFile({ owner, name: 'pic.png', contentType: 'image/png' });
    const made = await link(file.id, owner);
    expect(made.id).toMatch(/^lnk_/);
    expect(made.expiresAt).toBeNull();
    const token = new URL(made.url).pathname.split('/').pop() ?? '';
    const row = await db.select().from(publicLinks).where(eq(publicLinks.id, made.id)).get();
    expect(row?.tokenHash).toBe(await tokenHash(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const res = await open(made.url);
    expect(res.status).toBe(200);
    expect((await bytesOf(res)).byteLength).toBe(file.size);
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="pic.png"/);
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect((await open(made.url, { range: 'bytes=-4' })).status).toBe(206);
  });

  it('serves HTML through a link as an attachment', async () => {
    const owner = member('html-link');
    const file = await storedFile({ owner, name: 'x.html', contentType: 'text/html', bytes: '<script>1</script>' });
    const res = await open((await link(file.id, owner)).url);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('lists links without tokens, and a revoked link answers 404 (revoking twice is fine)', async () => {
    const owner = member('revoker');
    const file = await storedFile({ owner });
    const kept = await link(file.id, owner);
    const revoked = await link(file.id, owner, { expiresIn: 3600 });
    const path = `/api/v1/files/${file.id}/public-links`;
    const before = await (await call(path, {}, owner)).json<{ data: Record<string, unknown>[] }>();
    expect(before.data.map((l) => l.id).sort()).toEqual([kept.id, revoked.id].sort());
    expect(before.data.every((l) => !('url' in l) && !('token' in l) && !('tokenHash' in l))).toBe(true);
    expect((await call(`${path}/${revoked.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await call(`${path}/${revoked.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await open(revoked.url)).status).toBe(404);
    expect((await open(kept.url)).status).toBe(200);
    const after = await (await call(path, {}, owner)).json<{ data: { id: string }[] }>();
    expect(after.data.map((l) => l.id)).toEqual([kept.id]);
    expect((await call(`${path}/lnk_unknown`, { method: 'DELETE' }, owner)).status).toBe(404);
  });

  it('answers 404 for an expired link, a trashed file and a made-up token', async () => {
    const owner = member('expiry');
    const file = await storedFile({ owner });
    const made = await link(file.id, owner, { expiresIn: 3600 });
    await db
      .update(publicLinks)
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where(eq(publicLinks.id, made.id));
    expect((await open(made.url)).status).toBe(404);
    const live = await link(file.id, owner);
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await open(live.url)).status).toBe(404);
    expect((await call(`/api/v1/files/public/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await call('/api/v1/files/public/short')).status).toBe(404);
  });

  it('refuses a lifetime under 10 seconds with 400', async () => {
    const owner = member('short-link');
    const file = await storedFile({ owner });
    expect((await create(file.id, owner, { expiresIn: 5 })).status).toBe(400);
  });
});
