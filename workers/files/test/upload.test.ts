import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  blobKeys,
  blobOf,
  call,
  filesOf,
  member,
  multipartOf,
  randomBytes,
  reservationsOf,
  sha256Of,
  storedBytes,
  streamOf,
  upload,
  uploaded,
} from './support/upload-helpers.js';

describe('POST /api/v1/files', () => {
  it('stores a raw body streamed with its length and answers its hash and size', async () => {
    const alice = member();
    const bytes = randomBytes(300_000);
    const res = await upload(bytes, alice, { name: 'report.bin', folder: 'docs/2026' });
    expect(res.status, await res.clone().text()).toBe(201);
    const file = await res.json<{ id: string; sha256: string; size: number; folder: string; name: string }>();
    expect(res.headers.get('location')).toBe(`/api/v1/files/${file.id}`);
    expect(file).toMatchObject({ name: 'report.bin', folder: 'docs/2026', size: bytes.byteLength });
    expect(file.sha256).toBe(await sha256Of(bytes));
    const blob = await blobOf(file.sha256);
    expect(blob).toMatchObject({
      size: bytes.byteLength,
      storedSize: bytes.byteLength,
      encoding: 'identity',
      refCount: 1,
    });
    expect(await storedBytes(blob?.objectKey ?? '', 'identity')).toEqual(bytes);
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });

  it('stores a body of several MiB without a Content-Length in equal parts', async () => {
    const alice = member();
    const bytes = randomBytes(9 * 1024 * 1024 + 12_345);
    const file = await uploaded(bytes, alice, { unknownLength: true });
    expect(file.size).toBe(bytes.byteLength);
    expect(file.sha256).toBe(await sha256Of(bytes));
    const blob = await blobOf(file.sha256);
    expect(await sha256Of(await storedBytes(blob?.objectKey ?? '', 'identity'))).toBe(file.sha256);
  });

  it('stores a small body without a Content-Length in one put', async () => {
    const alice = member();
    const bytes = randomBytes(5000);
    const file = await uploaded(bytes, alice, { unknownLength: true });
    expect(file).toMatchObject({ size: 5000, sha256: await sha256Of(bytes) });
  });

  it('stores an empty file', async () => {
    const alice = member();
    const file = await uploaded(new Uint8Array(0), alice, { name: 'empty.txt', type: 'text/plain' });
    expect(file).toMatchObject({ size: 0, sha256: await sha256Of(new Uint8Array(0)) });
  });

  it('takes the name from a percent-encoded X-File-Name', async () => {
    const alice = member();
    const file = await uploaded(randomBytes(100), alice, {
      name: undefined,
      headers: { 'x-file-name': encodeURIComponent('Résumé 2026.bin') },
    });
    expect(file.name).toBe('Résumé 2026.bin');
  });

  it('stores the first file part of a multipart body with its filename, type and folder field', async () => {
    const alice = member();
    const bytes = randomBytes(200_000);
    const { body, contentType } = multipartOf({ name: 'photo.raw', bytes }, { folder: 'camera' });
    const res = await call(
      '/api/v1/files',
      { method: 'POST', headers: { 'content-type': contentType }, body: streamOf(body, 7_777) },
      alice,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const file = await res.json<{ name: string; folder: string; size: number; sha256: string }>();
    expect(file).toMatchObject({ name: 'photo.raw', folder: 'camera', size: bytes.byteLength });
    expect(file.sha256).toBe(await sha256Of(bytes));
  });

  it('refuses a multipart body without a file part with 400', async () => {
    const alice = member();
    const boundary = 'xyz';
    const body = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="folder"\r\n\r\na\r\n--${boundary}--\r\n`,
    );
    const res = await call(
      '/api/v1/files',
      {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: streamOf(body),
      },
      alice,
    );
    expect(res.status).toBe(400);
    expect(await filesOf(alice.userId)).toEqual([]);
  });

  it('refuses a body shorter than its Content-Length with 400 and keeps nothing', async () => {
    const alice = member();
    const bytes = randomBytes(10_000);
    const before = (await env.FILES_BUCKET.list({ prefix: 'blobs/' })).objects.length;
    const res = await call(
      '/api/v1/files?name=short.bin',
      {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': '20000' },
        body: streamOf(bytes),
      },
      alice,
    );
    expect(res.status).toBe(400);
    expect(await filesOf(alice.userId)).toEqual([]);
    expect(await reservationsOf(alice.userId)).toEqual([]);
    expect(await blobOf(await sha256Of(bytes))).toBeUndefined();
    expect((await env.FILES_BUCKET.list({ prefix: 'blobs/' })).objects.length).toBeLessThanOrEqual(before);
  });

  it('refuses an upload without a name with 400', async () => {
    const res = await upload(randomBytes(10), member());
    expect(res.status).toBe(400);
  });

  it('answers 200 with the same file when the same bytes are retried to the same name', async () => {
    const alice = member();
    const bytes = randomBytes(4096);
    const first = await uploaded(bytes, alice, { name: 'again.bin' });
    const retry = await upload(bytes, alice, { name: 'again.bin' });
    expect(retry.status).toBe(200);
    expect((await retry.json<{ id: string }>()).id).toBe(first.id);
    expect(await filesOf(alice.userId)).toHaveLength(1);
    expect((await blobOf(first.sha256))?.refCount).toBe(1);
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });

  it('refuses other bytes under a taken name with 409 FILE_EXISTS and keeps only the first', async () => {
    const alice = member();
    await uploaded(randomBytes(100), alice, { name: 'taken.bin' });
    const other = randomBytes(100);
    const res = await upload(other, alice, { name: 'taken.bin' });
    expect(res.status).toBe(409);
    expect((await res.json<{ code: string }>()).code).toBe('FILE_EXISTS');
    expect(await filesOf(alice.userId)).toHaveLength(1);
    expect(await blobOf(await sha256Of(other))).toBeUndefined();
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });

  it('refuses a caller without files:write', async () => {
    const reader = { ...member(), permissions: ['files:read'] };
    const res = await upload(randomBytes(10), reader, { name: 'x.bin' });
    expect(res.status).toBe(403);
  });
});

describe('an upload cut off mid-way', () => {
  it('answers 400, keeps no object and gives its reservation back', async () => {
    const alice = member();
    const bytes = randomBytes(200_000);
    let sent = 0;
    const breaking = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 100_000) return controller.error(new Error('client went away'));
        controller.enqueue(bytes.slice(sent, sent + 10_000));
        sent += 10_000;
      },
    });
    const before = await blobKeys();
    for (const length of [String(bytes.byteLength), undefined]) {
      const res = await call(
        '/api/v1/files?name=cut.bin',
        {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', ...(length ? { 'content-length': length } : {}) },
          body: length ? breaking : streamOf(bytes.subarray(0, 50_000)).pipeThrough(breakAfter(20_000)),
        },
        alice,
      );
      expect(res.status, await res.clone().text()).toBe(400);
    }
    expect(await filesOf(alice.userId)).toEqual([]);
    expect(await reservationsOf(alice.userId)).toEqual([]);
    expect(await blobKeys()).toEqual(before);
  });
});

/** Passes `n` bytes, then errors, as a connection that drops. */
function breakAfter(n: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > n) return controller.error(new Error('dropped'));
      controller.enqueue(chunk);
    },
  });
}

describe('a body longer than its Content-Length', () => {
  it('answers 400 and keeps nothing, compressed or not', async () => {
    const alice = member();
    for (const type of ['application/octet-stream', 'text/plain']) {
      const bytes = type === 'text/plain' ? new TextEncoder().encode('x'.repeat(20_000)) : randomBytes(20_000);
      const res = await call(
        '/api/v1/files?name=long.bin',
        { method: 'POST', headers: { 'content-type': type, 'content-length': '10000' }, body: streamOf(bytes, 4096) },
        alice,
      );
      expect(res.status, await res.clone().text()).toBe(400);
    }
    expect(await filesOf(alice.userId)).toEqual([]);
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });
});
