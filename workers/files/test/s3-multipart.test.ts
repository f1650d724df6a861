import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_OPEN_UPLOADS } from '../src/s3/multipart-create.js';
import { createKey, s3Client, s3Code, s3Member, sha256, xmlValues } from './support/s3-client.js';

const MiB = 1024 * 1024;

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

type Client = ReturnType<typeof s3Client>;

async function create(s3: Client, key: string): Promise<string> {
  const res = await s3.send(`/s3/files/${key}?uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const [id] = xmlValues(await res.text(), 'UploadId');
  expect(id).toBeTruthy();
  return id ?? '';
}

async function part(s3: Client, key: string, id: string, n: number, body: Uint8Array): Promise<string> {
  const res = await s3.send(`/s3/files/${key}?partNumber=${n}&uploadId=${id}`, { method: 'PUT', body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.headers.get('etag') ?? '';
}

const completion = (parts: { n: number; etag: string }[]) =>
  `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts
    .map((p) => `<Part><ETag>${p.etag}</ETag><PartNumber>${p.n}</PartNumber></Part>`)
    .join('')}</CompleteMultipartUpload>`;

const complete = (s3: Client, key: string, id: string, parts: { n: number; etag: string }[]) =>
  s3.send(`/s3/files/${key}?uploadId=${id}`, { method: 'POST', body: completion(parts) });

describe('S3 multipart uploads', () => {
  it('assembles two 5 MiB parts and a small last one into the exact bytes, then drops the parts', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const key = 'big/archive.bin';
    const id = await create(s3, key);
    const chunks = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(1234, 3)];
    const etags = [];
    for (const [i, chunk] of chunks.entries()) etags.push({ n: i + 1, etag: await part(s3, key, id, i + 1, chunk) });
    const listed = await s3.send(`/s3/files/${key}?uploadId=${id}`);
    expect(xmlValues(await listed.text(), 'PartNumber')).toEqual(['1', '2', '3']);
    const res = await complete(s3, key, id, etags);
    expect(res.status, await res.clone().text()).toBe(200);
    const whole = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      whole.set(c, at);
      at += c.byteLength;
    }
    expect(xmlValues(await res.text(), 'ETag')[0]).toBe(`&quot;${await sha256(whole)}&quot;`);
    const got = new Uint8Array(await (await s3.send(`/s3/files/${key}`)).arrayBuffer());
    expect(got.byteLength).toBe(whole.byteLength);
    expect(await sha256(got)).toBe(await sha256(whole));
    await new Promise((r) => setTimeout(r, 50));
    expect((await env.FILES_BUCKET.list({ prefix: `s3-parts/${id}/` })).objects).toEqual([]);
    expect(await s3Code(await complete(s3, key, id, etags))).toBe('NoSuchUpload');
  }, 60_000);

  it('refuses a wrong part ETag, parts out of order and a small part before the last', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const key = 'parts.bin';
    const id = await create(s3, key);
    const one = await part(s3, key, id, 1, bytes(5 * MiB, 4));
    const two = await part(s3, key, id, 2, bytes(10, 5));
    const three = await part(s3, key, id, 3, bytes(10, 6));
    expect(
      await s3Code(
        await complete(s3, key, id, [
          { n: 1, etag: '"0123"' },
          { n: 2, etag: two },
        ]),
      ),
    ).toBe('InvalidPart');
    expect(
      await s3Code(
        await complete(s3, key, id, [
          { n: 2, etag: two },
          { n: 1, etag: one },
        ]),
      ),
    ).toBe('InvalidPartOrder');
    expect(
      await s3Code(
        await complete(s3, key, id, [
          { n: 1, etag: one },
          { n: 2, etag: two },
          { n: 3, etag: three },
        ]),
      ),
    ).toBe('EntityTooSmall');
    expect(await s3Code(await s3.send(`/s3/files/${key}?uploadId=${id}`, { method: 'POST', body: '<nope/>' }))).toBe(
      'MalformedXML',
    );
    expect(
      await s3Code(await s3.send(`/s3/files/${key}?partNumber=0&uploadId=${id}`, { method: 'PUT', body: 'x' })),
    ).toBe('InvalidArgument');
    const done = await complete(s3, key, id, [
      { n: 1, etag: one },
      { n: 2, etag: two },
    ]);
    expect(done.status).toBe(200);
  });

  it('refuses more multipart uploads in progress than MAX_OPEN_UPLOADS', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const ids = [];
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) ids.push(await create(s3, `many/${i}.bin`));
    const refused = await s3.send('/s3/files/many/extra.bin?uploads', { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(await s3Code(refused)).toBe('QuotaExceeded');
    await s3.send(`/s3/files/many/0.bin?uploadId=${ids[0]}`, { method: 'DELETE' });
    expect(await create(s3, 'many/extra.bin')).toBeTruthy();
  }, 30_000);

  it('aborts an upload and its parts, and hides uploads from other users', async () => {
    const alice = s3Client(await createKey(s3Member()));
    const bob = s3Client(await createKey(s3Member()));
    const key = 'draft.bin';
    const id = await create(alice, key);
    await part(alice, key, id, 1, bytes(100, 7));
    expect(
      await s3Code(await bob.send(`/s3/files/${key}?partNumber=2&uploadId=${id}`, { method: 'PUT', body: 'x' })),
    ).toBe('NoSuchUpload');
    expect(await s3Code(await bob.send(`/s3/files/${key}?uploadId=${id}`))).toBe('NoSuchUpload');
    expect(await s3Code(await bob.send(`/s3/files/${key}?uploadId=${id}`, { method: 'DELETE' }))).toBe('NoSuchUpload');
    expect(await s3Code(await alice.send(`/s3/files/other.bin?uploadId=${id}`))).toBe('NoSuchUpload');
    const abort = await alice.send(`/s3/files/${key}?uploadId=${id}`, { method: 'DELETE' });
    expect(abort.status).toBe(204);
    expect((await env.FILES_BUCKET.list({ prefix: `s3-parts/${id}/` })).objects).toEqual([]);
    expect(await s3Code(await alice.send(`/s3/files/${key}?uploadId=${id}`, { method: 'DELETE' }))).toBe(
      'NoSuchUpload',
    );
  });
});
