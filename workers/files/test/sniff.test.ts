import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { checkContent } from '../src/services/sniff.js';
import {
  blobOf,
  filesOf,
  member,
  PNG_HEAD,
  reservationsOf,
  sha256Of,
  storedBytes,
  upload,
  uploaded,
  withHead,
} from './support/upload-helpers.js';

const ELF = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);
const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]);
const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

async function refused(bytes: Uint8Array, type: string | null, code: string) {
  const alice = member();
  const res = await upload(bytes, alice, { name: 'file', type });
  expect(res.status, await res.clone().text()).toBe(415);
  expect((await res.json<{ code: string }>()).code).toBe(code);
  expect(await filesOf(alice.userId)).toEqual([]);
  expect(await reservationsOf(alice.userId)).toEqual([]);
  expect(await blobOf(await sha256Of(bytes))).toBeUndefined();
}

describe('content checks', () => {
  it('refuses a PNG declared as image/jpeg with 415 CONTENT_TYPE_MISMATCH', async () => {
    await refused(withHead(PNG_HEAD), 'image/jpeg', 'CONTENT_TYPE_MISMATCH');
  });

  it('refuses text declared as image/png with 415 CONTENT_TYPE_MISMATCH', async () => {
    await refused(new TextEncoder().encode('just some text, not a picture'), 'image/png', 'CONTENT_TYPE_MISMATCH');
  });

  it('refuses an ELF executable with 415 FILE_TYPE_REFUSED whatever it claims to be', async () => {
    await refused(withHead(ELF), 'application/octet-stream', 'FILE_TYPE_REFUSED');
    await refused(withHead(ELF), null, 'FILE_TYPE_REFUSED');
  });

  it('refuses a Windows executable with 415 FILE_TYPE_REFUSED', async () => {
    await refused(withHead(EXE), 'application/octet-stream', 'FILE_TYPE_REFUSED');
  });

  it('refuses a declared executable type even when the content shows none', async () => {
    await refused(new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'application/x-msdownload', 'FILE_TYPE_REFUSED');
  });

  it('accepts a PNG declared as octet-stream and stores it as image/png', async () => {
    const file = await uploaded(withHead(PNG_HEAD), member(), { type: 'application/octet-stream' });
    expect(file.contentType).toBe('image/png');
  });

  it('accepts a JPEG declared as image/jpg (an alias) and stores image/jpeg', async () => {
    const file = await uploaded(withHead(JPEG_HEAD), member(), { type: 'image/jpg' });
    expect(file.contentType).toBe('image/jpeg');
  });

  it('stores the declared type, lower-cased without parameters, when the content shows none', async () => {
    const file = await uploaded(new TextEncoder().encode('a,b\n1,2\n'), member(), { type: 'Text/CSV; charset=UTF-8' });
    expect(file.contentType).toBe('text/csv');
  });

  it('stores application/octet-stream when nothing declares or shows a type', async () => {
    const file = await uploaded(Uint8Array.from([1, 2, 3, 4]), member(), { type: null });
    expect(file.contentType).toBe('application/octet-stream');
  });

  it('lets FILES_ALLOWED_TYPES through what FILES_DENIED_TYPES refuses', async () => {
    const allowing = { ...env, FILES_ALLOWED_TYPES: 'application/x-elf' };
    expect(await checkContent(allowing, withHead(ELF), null)).toEqual({
      contentType: 'application/x-elf',
      sniffedType: 'application/x-elf',
    });
    await expect(checkContent(env, withHead(ELF), null)).rejects.toMatchObject({ code: 'FILE_TYPE_REFUSED' });
  });

  it('accepts a zip archive declared as a format built on zip', async () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
    const checked = await checkContent(env, withHead(zip, 64), 'application/vnd.oasis.opendocument.text');
    expect(checked.contentType).toBe('application/zip');
  });
});

describe('compression', () => {
  it('stores a small text file as it is, where gzip would only add its header', async () => {
    const text = new TextEncoder().encode('hello from a small note');
    const file = await uploaded(text, member(), { name: 'note.txt', type: 'text/plain' });
    const blob = await blobOf(file.sha256);
    expect(blob).toMatchObject({ encoding: 'identity', size: text.byteLength, storedSize: text.byteLength });
  });

  it('stores a JSON file gzip-compressed and smaller, hashed over the original bytes', async () => {
    const json = new TextEncoder().encode(
      JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}`, ok: true }))),
    );
    const file = await uploaded(json, member(), { name: 'items.json', type: 'application/json' });
    expect(file).toMatchObject({
      contentType: 'application/json',
      size: json.byteLength,
      sha256: await sha256Of(json),
    });
    const blob = await blobOf(file.sha256);
    expect(blob?.encoding).toBe('gzip');
    expect(blob?.size).toBe(json.byteLength);
    expect(blob?.storedSize).toBeLessThan(json.byteLength / 4);
    const object = await env.FILES_BUCKET.head(blob?.objectKey ?? '');
    expect(object?.size).toBe(blob?.storedSize);
    expect(await storedBytes(blob?.objectKey ?? '', 'gzip')).toEqual(json);
  });

  it('stores an already compressed type as it is', async () => {
    const file = await uploaded(withHead(JPEG_HEAD, 5000), member(), { type: 'image/jpeg' });
    expect((await blobOf(file.sha256))?.encoding).toBe('identity');
  });
});
