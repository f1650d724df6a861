import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { call, fileRow, member, storedFile } from './support/read-fixtures.js';

type Who = ReturnType<typeof member>;
const share = (id: string, json: unknown, as: Who) => call(`/api/v1/files/${id}/shares`, { json }, as);
const shares = (id: string, as: Who) => call(`/api/v1/files/${id}/shares`, {}, as);
const unshare = (id: string, userId: string, as: Who) =>
  call(`/api/v1/files/${id}/shares/${userId}`, { method: 'DELETE' }, as);

describe('shares', () => {
  it('shares, replaces the access on a repeat, lists and ends it (twice)', async () => {
    const owner = member('sharer');
    const friend = member('friend');
    const file = await storedFile({ owner });
    const first = await share(file.id, { userId: friend.userId, access: 'read' }, owner);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ fileId: file.id, userId: friend.userId, access: 'read' });
    const again = await share(file.id, { userId: friend.userId, access: 'write' }, owner);
    expect(again.status).toBe(201);
    const listed = await (await shares(file.id, owner)).json<{ data: { userId: string; access: string }[] }>();
    expect(listed.data.map((s) => [s.userId, s.access])).toEqual([[friend.userId, 'write']]);
    expect((await unshare(file.id, friend.userId, owner)).status).toBe(204);
    expect((await unshare(file.id, friend.userId, owner)).status).toBe(204);
    expect((await call(`/api/v1/files/${file.id}`, {}, friend)).status).toBe(404);
  });

  it('lets a reader read and sign but not change, share, trash or link', async () => {
    const owner = member('owner-r');
    const reader = member('reader');
    const file = await storedFile({ owner, name: 'r.txt', contentType: 'text/plain', bytes: 'shared bytes' });
    expect((await share(file.id, { userId: reader.userId, access: 'read' }, owner)).status).toBe(201);
    expect((await call(`/api/v1/files/${file.id}`, {}, reader)).status).toBe(200);
    expect(await (await call(`/api/v1/files/${file.id}/content`, {}, reader)).text()).toBe('shared bytes');
    expect((await call(`/api/v1/files/${file.id}/signed-url`, { json: { expiresIn: 60 } }, reader)).status).toBe(200);
    const refused = [
      await call(`/api/v1/files/${file.id}`, { method: 'PATCH', json: { name: 'x.txt' } }, reader),
      await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, reader),
      await call(`/api/v1/files/${file.id}/restore`, { method: 'POST' }, reader),
      await shares(file.id, reader),
      await share(file.id, { userId: member('third').userId, access: 'read' }, reader),
      await call(`/api/v1/files/${file.id}/public-links`, { json: {} }, reader),
      await call(`/api/v1/files/${file.id}/public-links`, {}, reader),
    ];
    expect(refused.map((r) => r.status)).toEqual(refused.map(() => 404));
    expect(await fileRow(file.id)).toMatchObject({ name: 'r.txt', status: 'ready' });
  });

  it('lets a writer rename and move but never pass the file on', async () => {
    const owner = member('owner-w');
    const writer = member('writer');
    const file = await storedFile({ owner, name: 'w.txt' });
    expect((await share(file.id, { userId: writer.userId, access: 'write' }, owner)).status).toBe(201);
    const renamed = await call(`/api/v1/files/${file.id}`, { method: 'PATCH', json: { name: 'w2.txt' } }, writer);
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: 'w2.txt', ownerId: owner.userId });
    const regrant = await share(file.id, { userId: member('third').userId, access: 'write' }, writer);
    expect(regrant.status).toBe(404);
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, writer)).status).toBe(404);
  });

  it('refuses sharing with the owner or yourself, and bad access, with 400', async () => {
    const owner = member('self');
    const admin = member('admin', ['files:read', 'files:write', 'files:manage']);
    const file = await storedFile({ owner });
    for (const [json, as] of [
      [{ userId: owner.userId, access: 'read' }, owner],
      [{ userId: owner.userId, access: 'write' }, admin],
      [{ userId: admin.userId, access: 'read' }, admin],
      [{ userId: 'usr_x', access: 'admin' }, owner],
      [{ access: 'read' }, owner],
    ] as const) {
      const res = await share(file.id, json, as);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
    }
    expect((await (await shares(file.id, owner)).json<{ data: unknown[] }>()).data).toEqual([]);
  });

  it('stops a share working while its file is in the trash', async () => {
    const owner = member('trash-share');
    const reader = member('reader');
    const file = await storedFile({ owner });
    await share(file.id, { userId: reader.userId, access: 'read' }, owner);
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await call(`/api/v1/files/${file.id}`, {}, reader)).status).toBe(404);
    expect((await call(`/api/v1/files/${file.id}/content`, {}, reader)).status).toBe(404);
  });
});
