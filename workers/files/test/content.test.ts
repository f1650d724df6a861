import { problemOf } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs } from '../src/db/schema.js';
import { contentDisposition } from '../src/services/content-disposition.js';
import { bytesOf, call, db, member, storedFile } from './support/read-fixtures.js';

const content = (id: string, as = member('nobody'), init: RequestInit = {}, query = '') =>
  call(`/api/v1/files/${id}/content${query}`, init, as);

/** The name a browser takes from `filename*` (RFC 5987), which wins over the ASCII `filename`. */
const extName = (header: string | null) =>
  decodeURIComponent(/filename\*=UTF-8''([^;]*)/.exec(header ?? '')?.[1] ?? '');

describe('content', () => {
  it('streams the bytes with validators, safety and cache headers', async () => {
    const owner = member('reader');
    const file = await storedFile({ owner, name: 'notes.txt', contentType: 'text/plain', bytes: 'hello, files' });
    const res = await content(file.id, owner);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello, files');
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'text/plain',
      'content-length': '12',
      etag: `"${file.sha256}"`,
      'last-modified': new Date(file.updatedAt).toUTCString(),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'cache-control': 'private, max-age=0, must-revalidate',
      'content-disposition': `inline; filename="notes.txt"; filename*=UTF-8''notes.txt`,
    });
  });

  it('answers 304 to a current If-None-Match, weak or in a list, and 200 to a stale one', async () => {
    const owner = member('cache');
    const file = await storedFile({ owner, contentType: 'image/png' });
    const etag = `"${file.sha256}"`;
    for (const inm of [etag, `W/${etag}`, `"old", ${etag}`, '*']) {
      const res = await content(file.id, owner, { headers: { 'if-none-match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    const stale = await content(file.id, owner, { headers: { 'if-none-match': '"old"' } });
    expect(stale.status).toBe(200);
    expect((await bytesOf(stale)).byteLength).toBe(file.size);
  });

  it('answers 304 to an If-Modified-Since at or after the last change', async () => {
    const owner = member('ims');
    const file = await storedFile({ owner });
    const since = new Date(Date.parse(file.updatedAt) + 1000).toUTCString();
    expect((await content(file.id, owner, { headers: { 'if-modified-since': since } })).status).toBe(304);
    const before = new Date(Date.parse(file.updatedAt) - 60_000).toUTCString();
    expect((await content(file.id, owner, { headers: { 'if-modified-since': before } })).status).toBe(200);
  });

  it.each([
    ['text/html', 'page.html', '<script>alert(1)</script>'],
    ['image/svg+xml', 'logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['application/xml', 'feed.xml', '<?xml version="1.0"?><a/>'],
    ['text/xml', 'data.xml', '<a/>'],
    ['application/xhtml+xml', 'page.xhtml', '<html xmlns="http://www.w3.org/1999/xhtml"/>'],
    ['application/javascript', 'app.js', 'alert(1)'],
    ['application/octet-stream', 'blob.bin', 'bytes'],
  ])('serves %s as an attachment in a sandbox', async (contentType, name, body) => {
    const owner = member('script');
    const file = await storedFile({ owner, name, contentType, bytes: body });
    const res = await content(file.id, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(body);
  });

  it('answers an attachment for an inline type when asked to download', async () => {
    const owner = member('download');
    const file = await storedFile({ owner, name: 'photo.png', contentType: 'image/png' });
    const inline = await content(file.id, owner);
    expect(inline.headers.get('content-disposition')).toMatch(/^inline; /);
    const attached = await content(file.id, owner, {}, '?download=true');
    expect(attached.headers.get('content-disposition')).toMatch(/^attachment; filename="photo.png"/);
  });

  it.each([
    ['quotes', 'say "hi".txt', 'say _hi_.txt'],
    ['semicolons', 'a; filename=evil.html', 'a_ filename=evil.html'],
    ['backslashes', 'back\\slash.txt', 'back_slash.txt'],
    ['accents', 'résumé.pdf', 'resume.pdf'],
    ['CJK', '报告.pdf', '__.pdf'],
    ['emoji', 'party 🎉.png', 'party __.png'],
    ['percent signs', '100%.txt', '100_.txt'],
  ])('encodes a name with %s safely in both forms', async (_, name, ascii) => {
    const owner = member('names');
    const file = await storedFile({ owner, name, contentType: 'text/plain' });
    const header = (await content(file.id, owner)).headers.get('content-disposition');
    expect(header).toContain(`filename="${ascii}"`);
    expect(extName(header)).toBe(name);
    expect(header?.split(';').length).toBe(3);
  });

  it('never lets a control character or line break into the header', () => {
    const header = contentDisposition('evil\r\nSet-Cookie: a=b\u0000.txt', true);
    expect([...header].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(header).toContain('filename="evil__Set-Cookie: a=b_.txt"');
    expect(extName(header)).toBe('evil\r\nSet-Cookie: a=b\u0000.txt');
  });

  it('answers a HEAD with the headers and no body', async () => {
    const owner = member('head');
    const file = await storedFile({ owner, contentType: 'image/png' });
    const res = await content(file.id, owner, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(file.size));
    expect(res.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(await res.text()).toBe('');
  });

  it('refuses an image variant over 2,500 px a side before reading anything', async () => {
    const owner = member('variant');
    const file = await storedFile({ owner, contentType: 'image/png' });
    const res = await content(file.id, owner, {}, '?w=2501');
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
  });

  it('records the read once a day for lifecycle', async () => {
    const owner = member('lastread');
    const file = await storedFile({ owner });
    expect((await db.select().from(blobs).where(eq(blobs.id, file.blobId)).get())?.lastReadAt).toBeNull();
    await bytesOf(await content(file.id, owner));
    const first = await waitForLastRead(file.blobId);
    await bytesOf(await content(file.id, owner));
    await new Promise((r) => setTimeout(r, 50));
    expect((await db.select().from(blobs).where(eq(blobs.id, file.blobId)).get())?.lastReadAt).toBe(first);
  });

  it('answers 404 for a trashed file and a missing one', async () => {
    const owner = member('trashed');
    const file = await storedFile({ owner });
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, owner)).status).toBe(204);
    expect((await content(file.id, owner)).status).toBe(404);
    expect((await content('fil_missing', owner)).status).toBe(404);
  });
});

async function waitForLastRead(blobId: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const row = await db.select().from(blobs).where(eq(blobs.id, blobId)).get();
    if (row?.lastReadAt) return row.lastReadAt;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('last_read_at was never set');
}
