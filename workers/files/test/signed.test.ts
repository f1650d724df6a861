import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { signedUrlFor } from '../src/services/signed-urls.js';
import { bytesOf, call, member, storedFile } from './support/read-fixtures.js';

const sign = (id: string, json: unknown, as: ReturnType<typeof member>) =>
  call(`/api/v1/files/${id}/signed-url`, { json }, as);

/** Fetches a signed URL the way a client without a token would: the path and query only. */
const open = (url: string, headers: Record<string, string> = {}) => {
  const { pathname, search } = new URL(url);
  return call(`${pathname}${search}`, { headers });
};

async function signedUrl(id: string, as: ReturnType<typeof member>, json: unknown = { expiresIn: 600 }) {
  const res = await sign(id, json, as);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<{ url: string; expiresAt: string }>();
}

const expectInvalid = async (res: Response) => {
  expect(res.status).toBe(403);
  expect((await problemOf(res)).code).toBe('INVALID_SIGNATURE');
};

describe('signed download URLs', () => {
  it('downloads without a token until it expires, served like content', async () => {
    const owner = member('signer');
    const file = await storedFile({ owner, name: 'photo.png', contentType: 'image/png' });
    const before = Date.now();
    const { url, expiresAt } = await signedUrl(file.id, owner);
    expect(url).toMatch(new RegExp(`/api/v1/files/signed/${file.id}\\?expires=\\d+&download=0&signature=`));
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(598_000);
    const res = await open(url);
    expect(res.status).toBe(200);
    expect((await bytesOf(res)).byteLength).toBe(file.size);
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(res.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=(59\d|600)$/);
    const part = await open(url, { range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-9/${file.size}`);
    expect((await open(url, { 'if-none-match': `"${file.sha256}"` })).status).toBe(304);
  });

  it('answers an attachment when signed for download', async () => {
    const owner = member('dl');
    const file = await storedFile({ owner, name: 'photo.png', contentType: 'image/png' });
    const { url } = await signedUrl(file.id, owner, { expiresIn: 60, download: true });
    expect(url).toContain('download=1');
    expect((await open(url)).headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('refuses every tampered part with 403', async () => {
    const owner = member('tamper');
    const file = await storedFile({ owner });
    const other = await storedFile({ owner });
    const { url } = await signedUrl(file.id, owner);
    const u = new URL(url);
    const signature = u.searchParams.get('signature') ?? '';
    const changed = (name: string, value: string) => {
      const copy = new URL(url);
      copy.searchParams.set(name, value);
      return copy.toString();
    };
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    await expectInvalid(await open(url.replace(file.id, other.id)));
    await expectInvalid(await open(changed('expires', String(Number(u.searchParams.get('expires')) + 1))));
    await expectInvalid(await open(changed('download', '1')));
    await expectInvalid(await open(changed('signature', flip(signature))));
    await expectInvalid(await open(changed('signature', '')));
    const bare = new URL(url);
    bare.searchParams.delete('expires');
    await expectInvalid(await open(bare.toString()));
    expect((await open(url)).status).toBe(200);
  });

  it('refuses an expired URL with 403', async () => {
    const owner = member('expired');
    const file = await storedFile({ owner });
    const { url } = await signedUrlFor(env, 'http://files', file.id, 10, false, Date.now() - 11_000);
    await expectInvalid(await open(url));
  });

  it('answers 404 once the file is trashed or deleted', async () => {
    const owner = member('revoked');
    const file = await storedFile({ owner });
    const { url } = await signedUrl(file.id, owner);
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await open(url)).status).toBe(404);
    expect((await call(`/api/v1/files/${file.id}?permanent=true`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await open(url)).status).toBe(404);
  });

  it('refuses a lifetime outside 10 s to 7 days with 400', async () => {
    const owner = member('bounds');
    const file = await storedFile({ owner });
    for (const expiresIn of [9, 604_801, 1.5]) {
      const res = await sign(file.id, { expiresIn }, owner);
      expect(res.status, String(expiresIn)).toBe(400);
    }
    expect((await sign(file.id, { expiresIn: 604_800 }, owner)).status).toBe(200);
  });

  it('signs for a sharee with read access and for nobody else', async () => {
    const owner = member('share-sign');
    const reader = member('reader');
    const stranger = member('stranger');
    const file = await storedFile({ owner });
    await call(`/api/v1/files/${file.id}/shares`, { json: { userId: reader.userId, access: 'read' } }, owner);
    expect((await sign(file.id, { expiresIn: 60 }, reader)).status).toBe(200);
    const refused = await sign(file.id, { expiresIn: 60 }, stranger);
    expect(refused.status).toBe(404);
    expect((await problemOf(refused)).code).toBe('NOT_FOUND');
  });
});
