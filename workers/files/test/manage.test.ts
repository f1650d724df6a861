import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs, fileShares, publicLinks } from '../src/db/schema.js';
import { call, db, fileRow, member, storedFile } from './support/read-fixtures.js';

interface Page {
  data: { id: string; name: string; folder: string; status: string }[];
  nextCursor: string | null;
}

const list = async (as: ReturnType<typeof member>, query = '') => {
  const res = await call(`/api/v1/files${query}`, {}, as);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Page>();
};
const patch = (id: string, json: unknown, as: ReturnType<typeof member>) =>
  call(`/api/v1/files/${id}`, { method: 'PATCH', json }, as);
const remove = (id: string, as: ReturnType<typeof member>, permanent = false) =>
  call(`/api/v1/files/${id}${permanent ? '?permanent=true' : ''}`, { method: 'DELETE' }, as);
const restore = (id: string, as: ReturnType<typeof member>) =>
  call(`/api/v1/files/${id}/restore`, { method: 'POST' }, as);
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

describe('listing files', () => {
  it('pages through own files newest first with a cursor', async () => {
    const owner = member('pager');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await storedFile({ owner, name: `f${i}.txt`, createdAt: at(i) }));
    await storedFile({ owner: member('stranger') });
    const first = await list(owner, '?limit=2');
    expect(first.data.map((f) => f.name)).toEqual(['f4.txt', 'f3.txt']);
    const second = await list(owner, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((f) => f.name)).toEqual(['f2.txt', 'f1.txt']);
    const last = await list(owner, `?limit=2&cursor=${second.nextCursor}`);
    expect(last.data.map((f) => f.name)).toEqual(['f0.txt']);
    expect(last.nextCursor).toBeNull();
  });

  it('filters by exact folder and by name, escaping LIKE wildcards', async () => {
    const owner = member('filter');
    await storedFile({ owner, name: 'Report 50%.pdf', folder: 'docs' });
    await storedFile({ owner, name: 'report_2026.pdf', folder: 'docs/old' });
    await storedFile({ owner, name: 'reportX2026.pdf' });
    expect((await list(owner, '?folder=docs')).data.map((f) => f.name)).toEqual(['Report 50%.pdf']);
    expect((await list(owner, '?folder=/docs/old/')).data.map((f) => f.name)).toEqual(['report_2026.pdf']);
    expect((await list(owner, '?q=REPORT')).data).toHaveLength(3);
    expect((await list(owner, '?q=50%25')).data.map((f) => f.name)).toEqual(['Report 50%.pdf']);
    expect((await list(owner, '?q=t_2')).data.map((f) => f.name)).toEqual(['report_2026.pdf']);
  });

  it('lists the trash apart from live files, and files shared with the caller', async () => {
    const owner = member('trash-list');
    const friend = member('friend');
    const kept = await storedFile({ owner, name: 'kept.txt' });
    const binned = await storedFile({ owner, name: 'binned.txt' });
    expect((await remove(binned.id, owner)).status).toBe(204);
    expect((await list(owner)).data.map((f) => f.id)).toEqual([kept.id]);
    expect((await list(owner, '?trashed=true')).data.map((f) => [f.id, f.status])).toEqual([[binned.id, 'trashed']]);
    const share = await call(
      `/api/v1/files/${kept.id}/shares`,
      { json: { userId: friend.userId, access: 'read' } },
      owner,
    );
    expect(share.status).toBe(201);
    expect((await list(friend)).data).toEqual([]);
    expect((await list(friend, '?shared=true')).data.map((f) => f.id)).toEqual([kept.id]);
  });

  it('refuses a bad folder, limit or cursor with 400', async () => {
    const owner = member('bad-list');
    for (const query of ['?folder=a//b', '?limit=101', '?limit=0', '?cursor=nonsense', '?trashed=true&shared=true']) {
      const res = await call(`/api/v1/files${query}`, {}, owner);
      expect(res.status, query).toBe(400);
      expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('renaming and moving', () => {
  it('renames and moves, normalising the name and folder; a repeat answers the same', async () => {
    const owner = member('mover');
    const file = await storedFile({ owner, name: 'a.txt' });
    const res = await patch(file.id, { name: '  b.txt ', folder: '/work/2026/' }, owner);
    expect(res.status).toBe(200);
    const moved = await res.json<{ name: string; folder: string; updatedAt: string }>();
    expect(moved).toMatchObject({ name: 'b.txt', folder: 'work/2026' });
    const again = await patch(file.id, { name: 'b.txt', folder: 'work/2026' }, owner);
    expect(await again.json()).toEqual(moved);
  });

  it('answers 409 FILE_EXISTS for a taken path and changes nothing', async () => {
    const owner = member('clash');
    await storedFile({ owner, name: 'taken.txt', folder: 'x' });
    const file = await storedFile({ owner, name: 'free.txt' });
    const res = await patch(file.id, { name: 'taken.txt', folder: 'x' }, owner);
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('FILE_EXISTS');
    expect(await fileRow(file.id)).toMatchObject({ name: 'free.txt', folder: '' });
  });

  it.each([{ name: '' }, { name: 'a/b' }, { name: '..' }, { name: 'x\u0000y' }, { folder: 'a//b' }, { name: 5 }])(
    'refuses %o with 400 and changes nothing',
    async (body) => {
      const owner = member('bad-name');
      const file = await storedFile({ owner, name: 'same.txt' });
      const res = await patch(file.id, body, owner);
      expect(res.status).toBe(400);
      expect((await fileRow(file.id))?.name).toBe('same.txt');
    },
  );
});

describe('trash, restore and deletion', () => {
  it('trashes, answers a repeated trash the same, and restores (also twice)', async () => {
    const owner = member('binner');
    const file = await storedFile({ owner, name: 'doc.txt' });
    expect((await remove(file.id, owner)).status).toBe(204);
    expect((await remove(file.id, owner)).status).toBe(204);
    expect(await fileRow(file.id)).toMatchObject({ status: 'trashed' });
    expect((await call(`/api/v1/files/${file.id}`, {}, owner)).status).toBe(200);
    const first = await restore(file.id, owner);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id: file.id, status: 'ready', trashedAt: null });
    const second = await restore(file.id, owner);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ id: file.id, status: 'ready' });
  });

  it('refuses to restore onto a path a live file took meanwhile', async () => {
    const owner = member('restorer');
    const file = await storedFile({ owner, name: 'same.txt' });
    expect((await remove(file.id, owner)).status).toBe(204);
    await storedFile({ owner, name: 'same.txt' });
    const res = await restore(file.id, owner);
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('FILE_EXISTS');
    expect((await fileRow(file.id))?.status).toBe('trashed');
  });

  it('deletes for good with shares and links, collecting a blob nobody else holds', async () => {
    const owner = member('purger');
    const file = await storedFile({ owner });
    await call(`/api/v1/files/${file.id}/shares`, { json: { userId: 'usr_someone', access: 'read' } }, owner);
    await call(`/api/v1/files/${file.id}/public-links`, { json: {} }, owner);
    expect((await remove(file.id, owner, true)).status).toBe(204);
    expect(await fileRow(file.id)).toBeUndefined();
    expect(await db.select().from(fileShares).where(eq(fileShares.fileId, file.id))).toEqual([]);
    expect(await db.select().from(publicLinks).where(eq(publicLinks.fileId, file.id))).toEqual([]);
    expect(await db.select().from(blobs).where(eq(blobs.id, file.blobId)).get()).toBeUndefined();
    expect(await env.FILES_BUCKET.head(`blobs/${file.blobId}`)).toBeNull();
    const retry = await remove(file.id, owner, true);
    expect(retry.status).toBe(404);
  });

  it('keeps a blob another file still holds, and counts one reference for concurrent deletes', async () => {
    const owner = member('dedupe');
    const bytes = crypto.getRandomValues(new Uint8Array(64));
    const one = await storedFile({ owner, bytes, name: 'one.bin' });
    const two = await storedFile({ owner, bytes, name: 'two.bin' });
    expect(two.blobId).toBe(one.blobId);
    const answers = await Promise.all([remove(one.id, owner, true), remove(one.id, owner, true)]);
    expect(answers.map((r) => r.status).sort()).toEqual([204, 404]);
    expect(await db.select().from(blobs).where(eq(blobs.id, one.blobId)).get()).toMatchObject({ refCount: 1 });
    expect(await env.FILES_BUCKET.head(`blobs/${one.blobId}`)).not.toBeNull();
    expect((await call(`/api/v1/files/${two.id}/content`, {}, owner)).status).toBe(200);
  });

  it('deletes a trashed file for good', async () => {
    const owner = member('trash-purge');
    const file = await storedFile({ owner });
    expect((await remove(file.id, owner)).status).toBe(204);
    expect((await remove(file.id, owner, true)).status).toBe(204);
    expect(await fileRow(file.id)).toBeUndefined();
  });
});
