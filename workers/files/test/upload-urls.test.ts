import { env } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { uploadUrls } from '../src/db/schema.js';
import { sign } from '../src/services/signing.js';
import {
  call,
  db,
  type FileView,
  filesOf,
  member,
  multipartOf,
  randomBytes,
  reservationsOf,
  sha256Of,
  streamOf,
} from './support/upload-helpers.js';

interface UploadUrl {
  id: string;
  url: string;
  method: string;
  expiresAt: string;
  maxBytes: number;
}

async function createUrl(as: Principal, body: Record<string, unknown> = {}): Promise<UploadUrl> {
  const res = await call('/api/v1/files/upload-urls', { json: body }, as);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<UploadUrl>();
}

/** Uses the URL without a token, as anyone holding it would. */
function put(url: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const { pathname, search } = new URL(url);
  return call(`${pathname}${search}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength), ...headers },
    body: streamOf(bytes),
  });
}

describe('upload URLs', () => {
  it('stores one file for its creator without a token, once', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'scan.bin', folder: 'inbox', expiresIn: 600 });
    expect(created.method).toBe('PUT');
    expect(created.url).toMatch(new RegExp(`/api/v1/files/upload-urls/${created.id}\\?signature=[A-Za-z0-9_-]+$`));
    const bytes = randomBytes(5000);
    const res = await put(created.url, bytes);
    expect(res.status, await res.clone().text()).toBe(201);
    const file = await res.json<FileView>();
    expect(file).toMatchObject({
      ownerId: alice.userId,
      name: 'scan.bin',
      folder: 'inbox',
      sha256: await sha256Of(bytes),
    });
    const again = await put(created.url, randomBytes(10));
    expect(again.status).toBe(410);
    expect((await again.json<{ code: string }>()).code).toBe('GONE');
    expect(await filesOf(alice.userId)).toHaveLength(1);
    const row = await db().select().from(uploadUrls).where(eq(uploadUrls.id, created.id)).get();
    expect(row?.fileId).toBe(file.id);
  });

  it('refuses a changed signature or an unknown id with 403 and stores nothing', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'a.bin' });
    const signature = new URL(created.url).searchParams.get('signature') ?? '';
    // A middle character: the last one of 43 also carries two padding bits, which a flip may leave the same.
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const tampered = created.url.replace(signature, flipped);
    for (const url of [tampered, created.url.replace(created.id, 'upu_0000'), created.url.split('?')[0] ?? '']) {
      const res = await put(url, randomBytes(10));
      expect(res.status).toBe(403);
      expect((await res.json<{ code: string }>()).code).toBe('INVALID_SIGNATURE');
    }
    expect(await filesOf(alice.userId)).toEqual([]);
    expect((await put(created.url, randomBytes(10))).status).toBe(201);
  });

  it('refuses an expired URL with 410', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'late.bin' });
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    await db().update(uploadUrls).set({ expiresAt }).where(eq(uploadUrls.id, created.id));
    const signature = await sign(env, 'upload-url', `${created.id}\n${expiresAt}`);
    const res = await put(
      `http://files/api/v1/files/upload-urls/${created.id}?signature=${signature}`,
      randomBytes(10),
    );
    expect(res.status).toBe(410);
    expect(await filesOf(alice.userId)).toEqual([]);
  });

  it('stores one file when the URL is used twice at once', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'once.bin' });
    const results = await Promise.all([put(created.url, randomBytes(3000)), put(created.url, randomBytes(3000))]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    expect([409, 410]).toContain(statuses[1]);
    expect(await filesOf(alice.userId)).toHaveLength(1);
  });

  it('gives the URL back when an upload fails its checks', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'retry.bin', maxBytes: 1000 });
    const tooBig = await put(created.url, randomBytes(2000));
    expect(tooBig.status).toBe(413);
    const exe = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]);
    expect((await put(created.url, exe)).status).toBe(415);
    expect((await put(created.url, randomBytes(1000))).status).toBe(201);
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });

  it('takes only the content type it was created for', async () => {
    const alice = member();
    const created = await createUrl(alice, { name: 'notes.txt', contentType: 'text/plain' });
    const wrong = await put(created.url, new TextEncoder().encode('{"a":1}'), { 'content-type': 'application/json' });
    expect(wrong.status).toBe(415);
    const right = await put(created.url, new TextEncoder().encode('hello'), {
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(right.status).toBe(201);
    expect((await right.json<FileView>()).contentType).toBe('text/plain');
  });

  it('takes a multipart body by POST, named by its filename', async () => {
    const alice = member();
    const created = await createUrl(alice);
    const bytes = randomBytes(4000);
    const { body, contentType } = multipartOf({ name: 'from-browser.bin', bytes });
    const { pathname, search } = new URL(created.url);
    const res = await call(`${pathname}${search}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: streamOf(body),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json<FileView>()).toMatchObject({ name: 'from-browser.bin', sha256: await sha256Of(bytes) });
  });

  it('refuses bad creation input with 400', async () => {
    const alice = member();
    for (const body of [
      { expiresIn: 59 },
      { expiresIn: 86_401 },
      { name: '../x' },
      { maxBytes: 10 ** 12 },
      { contentType: 'nope' },
    ]) {
      const res = await call('/api/v1/files/upload-urls', { json: body }, alice);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});
