import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fileShares, publicLinks } from '../src/db/schema.js';
import { admin, call, db, fileRow, member, storedFile } from './support/read-fixtures.js';

type Who = ReturnType<typeof member>;

/** Every route of one file, as [label, path, init]. */
function routesOf(id: string, sharee: string, linkId: string): [string, string, RequestInit & { json?: unknown }][] {
  const base = `/api/v1/files/${id}`;
  return [
    ['get', base, {}],
    ['rename', base, { method: 'PATCH', json: { name: 'stolen.txt' } }],
    ['trash', base, { method: 'DELETE' }],
    ['delete for good', `${base}?permanent=true`, { method: 'DELETE' }],
    ['restore', `${base}/restore`, { method: 'POST' }],
    ['content', `${base}/content`, {}],
    ['content range', `${base}/content`, { headers: { range: 'bytes=0-0' } }],
    ['signed url', `${base}/signed-url`, { json: { expiresIn: 60 } }],
    ['share', `${base}/shares`, { json: { userId: 'usr_accomplice', access: 'write' } }],
    ['list shares', `${base}/shares`, {}],
    ['unshare', `${base}/shares/${sharee}`, { method: 'DELETE' }],
    ['create link', `${base}/public-links`, { json: {} }],
    ['list links', `${base}/public-links`, {}],
    ['revoke link', `${base}/public-links/${linkId}`, { method: 'DELETE' }],
  ];
}

async function snapshot(id: string) {
  return {
    file: await fileRow(id),
    shares: await db.select().from(fileShares).where(eq(fileShares.fileId, id)),
    links: await db.select().from(publicLinks).where(eq(publicLinks.fileId, id)),
  };
}

async function sharedFile(owner: Who, trashed = false) {
  const file = await storedFile({ owner, name: 'private.txt', contentType: 'text/plain', bytes: 'secret' });
  const friend = member('friend');
  await call(`/api/v1/files/${file.id}/shares`, { json: { userId: friend.userId, access: 'read' } }, owner);
  const link = await (await call(`/api/v1/files/${file.id}/public-links`, { json: {} }, owner)).json<{ id: string }>();
  if (trashed) await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, owner);
  return { file, friend, linkId: link.id };
}

describe('another user', () => {
  it.each([false, true])('gets 404 on every route of a file (trashed: %s) and changes nothing', async (trashed) => {
    const owner = member('victim');
    const intruder = member('intruder');
    const { file, friend, linkId } = await sharedFile(owner, trashed);
    const before = await snapshot(file.id);
    for (const [label, path, init] of routesOf(file.id, friend.userId, linkId)) {
      const res = await call(path, init, intruder);
      expect(res.status, label).toBe(404);
      const body = await res.json<{ code: string; detail: string }>();
      expect(body.code, label).toBe('NOT_FOUND');
      expect(body.detail, label).not.toContain('private.txt');
    }
    expect(await snapshot(file.id)).toEqual(before);
  });

  it('gets the same 404 for a file that does not exist', async () => {
    const intruder = member('prober');
    for (const [label, path, init] of routesOf('fil_doesnotexist', 'usr_x', 'lnk_x')) {
      expect((await call(path, init, intruder)).status, label).toBe(404);
    }
  });

  it('never sees the file in any list', async () => {
    const owner = member('hidden');
    const intruder = member('lister');
    await sharedFile(owner);
    for (const query of ['', '?trashed=true', '?shared=true', '?q=private']) {
      const page = await (await call(`/api/v1/files${query}`, {}, intruder)).json<{ data: unknown[] }>();
      expect(page.data, query).toEqual([]);
    }
  });
});

describe('files:manage', () => {
  it('reads, renames, shares, trashes and restores any file', async () => {
    const owner = member('managed');
    const boss = admin();
    const { file } = await sharedFile(owner);
    expect((await call(`/api/v1/files/${file.id}`, {}, boss)).status).toBe(200);
    expect(await (await call(`/api/v1/files/${file.id}/content`, {}, boss)).text()).toBe('secret');
    const renamed = await call(`/api/v1/files/${file.id}`, { method: 'PATCH', json: { name: 'moderated.txt' } }, boss);
    expect(await renamed.json()).toMatchObject({ name: 'moderated.txt', ownerId: owner.userId });
    expect((await call(`/api/v1/files/${file.id}/shares`, {}, boss)).status).toBe(200);
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, boss)).status).toBe(204);
    expect((await call(`/api/v1/files/${file.id}`, {}, boss)).status).toBe(200);
    expect((await call(`/api/v1/files/${file.id}/restore`, { method: 'POST' }, boss)).status).toBe(200);
    expect((await call(`/api/v1/files/${file.id}?permanent=true`, { method: 'DELETE' }, boss)).status).toBe(204);
    expect(await fileRow(file.id)).toBeUndefined();
  });
});
