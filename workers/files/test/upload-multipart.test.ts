import { describe, expect, it } from 'vitest';
import { boundaryOf, firstFilePart } from '../src/services/form-data-stream.js';
import { multipartOf, randomBytes, streamOf } from './support/upload-helpers.js';

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('multipart/form-data reader', () => {
  it('reads the file part whole whatever the chunk sizes, even when bytes look like the boundary', async () => {
    const bytes = randomBytes(3000);
    const { body, contentType } = multipartOf({ name: 'f.bin', bytes }, { folder: 'x/y', note: 'hi' });
    const boundary = boundaryOf(contentType) ?? '';
    // A delimiter's first bytes inside the content must not end the part.
    bytes.set(new TextEncoder().encode(`\r\n--${boundary.slice(0, -1)}`), 100);
    const again = multipartOf({ name: 'f.bin', bytes }, { folder: 'x/y' });
    for (const size of [1, 2, 3, 17, 64, 1000, 100_000]) {
      const withFields = await firstFilePart(streamOf(body, size), boundary);
      expect(withFields.fields).toEqual({ folder: 'x/y', note: 'hi' });
      await withFields.body.cancel();
      const part = await firstFilePart(streamOf(again.body, size), boundaryOf(again.contentType) ?? '');
      expect(part).toMatchObject({
        filename: 'f.bin',
        contentType: 'application/octet-stream',
        fields: { folder: 'x/y' },
      });
      expect(await bytesOf(part.body), `chunks of ${size}`).toEqual(bytes);
    }
  });

  it('prefers filename* (RFC 5987) to filename', async () => {
    const enc = new TextEncoder();
    const body = enc.encode(
      `--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nx\r\n--b--\r\n`,
    );
    const part = await firstFilePart(streamOf(body), 'b');
    expect(part.filename).toBe('€ rates.txt');
    expect(new TextDecoder().decode(await bytesOf(part.body))).toBe('x');
  });

  it('refuses a body that ends inside the file part', async () => {
    const body = new TextEncoder().encode(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
    );
    const part = await firstFilePart(streamOf(body), 'b');
    await expect(bytesOf(part.body)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reads the boundary of a quoted or bare parameter and nothing else', () => {
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(boundaryOf('Multipart/Form-Data;boundary=xyz')).toBe('xyz');
    expect(boundaryOf('multipart/mixed; boundary=xyz')).toBeNull();
    expect(boundaryOf('application/octet-stream')).toBeNull();
  });
});
