import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { files } from '../src/db/schema.js';
import { hmacHex, sha256Hex, signingKey } from '../src/s3/sigv4.js';
import { createKey, s3Client, s3Code, s3Member, sha256, xmlValues } from './support/s3-client.js';
import { concatBytes } from './support/upload-helpers.js';

const text = (s: string) => new TextEncoder().encode(s);

/** An aws-chunked body: `chunks` as they are framed, then a zero chunk and a trailing checksum line. */
function awsChunked(chunks: Uint8Array[], trailer = 'x-amz-checksum-crc32:AAAAAA==\r\n'): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) parts.push(text(`${c.byteLength.toString(16)}\r\n`), c, text('\r\n'));
  parts.push(text(`0\r\n${trailer}\r\n`));
  return concatBytes(parts);
}

describe('S3 objects', () => {
  it('puts, heads and gets an object with its ETag, size, type and ranges', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const body = 'hello, s3 world';
    const put = await s3.send('/s3/files/docs/hello.txt', {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/plain' },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const etag = `"${await sha256(body)}"`;
    expect(put.headers.get('etag')).toBe(etag);
    const head = await s3.send('/s3/files/docs/hello.txt', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.headers.get('last-modified')).toMatch(/GMT$/);
    const get = await s3.send('/s3/files/docs/hello.txt');
    expect(await get.text()).toBe(body);
    const range = await s3.send('/s3/files/docs/hello.txt', { headers: { range: 'bytes=7-8' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 7-8/${body.length}`);
    expect(await range.text()).toBe('s3');
    const past = await s3.send('/s3/files/docs/hello.txt', { headers: { range: 'bytes=100-' } });
    expect(past.status).toBe(416);
    expect(await s3Code(past)).toBe('InvalidRange');
    const cached = await s3.send('/s3/files/docs/hello.txt', { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
  });

  it('checks a signed payload hash and keeps nothing when it does not match', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const good = await s3.send('/s3/files/hashed.txt', {
      method: 'PUT',
      body: 'exact bytes',
      headers: { 'x-amz-content-sha256': await sha256('exact bytes') },
    });
    expect(good.status).toBe(200);
    const bad = await s3.send('/s3/files/mismatch.txt', {
      method: 'PUT',
      body: 'other bytes',
      headers: { 'x-amz-content-sha256': await sha256('exact bytes') },
    });
    expect(bad.status).toBe(400);
    expect(await s3Code(bad)).toBe('XAmzContentSHA256Mismatch');
    expect(await s3Code(await s3.send('/s3/files/mismatch.txt'))).toBe('NoSuchKey');
  });

  it('decodes an aws-chunked body with a trailing checksum', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    const content = 'first chunk|second chunk';
    const res = await s3.send('/s3/files/chunked.txt', {
      method: 'PUT',
      body: awsChunked([text('first chunk|'), text('second chunk')]),
      headers: {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(content.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await (await s3.send('/s3/files/chunked.txt')).text()).toBe(content);
    const short = await s3.send('/s3/files/short.txt', {
      method: 'PUT',
      body: awsChunked([text('abc')]),
      headers: {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '10',
      },
    });
    expect(await s3Code(short)).toBe('IncompleteBody');
  });

  it('checks the chunk signatures of a signed aws-chunked body', async () => {
    const key = await createKey(s3Member());
    const s3 = s3Client(key);
    const headers = {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '10',
    };
    const signedBody = async (request: Request, chunks: string[], tamper = false) => {
      const auth = request.headers.get('authorization') ?? '';
      let previous = /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
      const amz = request.headers.get('x-amz-date') ?? '';
      const scope = `${amz.slice(0, 8)}/auto/s3/aws4_request`;
      const k = await signingKey(key.secretAccessKey, amz.slice(0, 8), 'auto', 's3');
      let out = '';
      for (const chunk of [...chunks, '']) {
        const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', amz, scope, previous, await sha256Hex(''), await sha256Hex(chunk)];
        previous = await hmacHex(k, toSign.join('\n'));
        const data = tamper && chunk !== '' ? chunk.toUpperCase() : chunk;
        out += `${chunk.length.toString(16)};chunk-signature=${previous}\r\n${data}\r\n`;
      }
      return out;
    };
    const request = await s3.sign('/s3/files/signed-chunks.txt', { method: 'PUT', headers });
    const ok = await exports.default.fetch(
      new Request(request, { body: await signedBody(request, ['hello', 'world']) }),
    );
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await (await s3.send('/s3/files/signed-chunks.txt')).text()).toBe('helloworld');
    const again = await s3.sign('/s3/files/tampered-chunks.txt', { method: 'PUT', headers });
    const bad = await exports.default.fetch(
      new Request(again, { body: await signedBody(again, ['hello', 'world'], true) }),
    );
    expect(await s3Code(bad)).toBe('SignatureDoesNotMatch');
    expect(await s3Code(await s3.send('/s3/files/tampered-chunks.txt'))).toBe('NoSuchKey');
  });

  it('replaces the object at a key, and deletes to the trash with 204 even for a missing key', async () => {
    const alice = s3Member();
    const s3 = s3Client(await createKey(alice));
    await s3.send('/s3/files/notes/a.txt', { method: 'PUT', body: 'one' });
    const second = await s3.send('/s3/files/notes/a.txt', { method: 'PUT', body: 'two' });
    expect(second.status).toBe(200);
    expect(await (await s3.send('/s3/files/notes/a.txt')).text()).toBe('two');
    const del = await s3.send('/s3/files/notes/a.txt', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await s3Code(await s3.send('/s3/files/notes/a.txt'))).toBe('NoSuchKey');
    const rows = await dbOf(env.DB).select().from(files).where(eq(files.ownerId, alice.userId)).all();
    expect(rows.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['a.txt:trashed']);
    const missing = await s3.send('/s3/files/notes/never.txt', { method: 'DELETE' });
    expect(missing.status).toBe(204);
  });

  it('deletes several objects at once, reporting keys that are not file paths', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    for (const key of ['batch/a.txt', 'batch/b.txt', 'keep.txt'])
      await s3.send(`/s3/files/${key}`, { method: 'PUT', body: key });
    const body =
      '<Delete><Object><Key>batch/a.txt</Key></Object><Object><Key>batch/b.txt</Key></Object>' +
      '<Object><Key>batch/never.txt</Key></Object><Object><Key>bad//key</Key></Object></Delete>';
    const res = await s3.send('/s3/files?delete', { method: 'POST', body });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xmlValues(xml, 'Key')).toEqual(['batch/a.txt', 'batch/b.txt', 'batch/never.txt', 'bad//key']);
    expect(xmlValues(xml, 'Code')).toEqual(['InvalidArgument']);
    const left = await s3.send('/s3/files?list-type=2');
    expect(xmlValues(await left.text(), 'Key')).toEqual(['keep.txt']);
  });

  it('hides one user’s objects from another user’s keys', async () => {
    const alice = s3Client(await createKey(s3Member()));
    const bob = s3Client(await createKey(s3Member()));
    await alice.send('/s3/files/private.txt', { method: 'PUT', body: 'alice only' });
    expect(await s3Code(await bob.send('/s3/files/private.txt'))).toBe('NoSuchKey');
    expect((await bob.send('/s3/files/private.txt', { method: 'HEAD' })).status).toBe(404);
    await bob.send('/s3/files/private.txt', { method: 'DELETE' });
    expect(await (await alice.send('/s3/files/private.txt')).text()).toBe('alice only');
    const list = await bob.send('/s3/files?list-type=2');
    expect(await list.text()).not.toContain('private.txt');
  });

  it('refuses keys that are not file paths', async () => {
    const s3 = s3Client(await createKey(s3Member()));
    for (const key of ['a//b.txt', 'dir/', 'a/..%2Fb.txt', 'tab%09name.txt']) {
      const res = await s3.send(`/s3/files/${key}`, { method: 'PUT', body: 'x' });
      expect(res.status, key).toBe(400);
      expect(await s3Code(res), key).toBe('InvalidArgument');
    }
    const long = await s3.send(`/s3/files/${'d/'.repeat(520)}x.txt`, { method: 'PUT', body: 'x' });
    expect(await s3Code(long)).toBe('KeyTooLongError');
  });
});
