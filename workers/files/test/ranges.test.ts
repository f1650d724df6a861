import { problemOf } from '@onasis/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileRow } from '../src/db/schema.js';
import { parseRange } from '../src/services/byte-ranges.js';
import { bytesOf, call, member, storedFile } from './support/read-fixtures.js';

const owner = member('ranges');
// 3,000 bytes with a pattern that compresses well; the seed keeps the two blobs apart (one content, one blob).
const contentOf = (seed: number) => Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + (i >> 8) + seed) % 256);

describe.each([
  { encoding: 'identity', gzip: false, seed: 1 },
  { encoding: 'gzip', gzip: true, seed: 2 },
])('ranges of an $encoding blob', ({ gzip, seed }) => {
  const content = contentOf(seed);
  let file: Promise<FileRow>;
  beforeAll(() => {
    file = storedFile({ owner, bytes: content, gzip, contentType: 'application/octet-stream' });
  });
  const get = async (range?: string, headers: Record<string, string> = {}) =>
    call(`/api/v1/files/${(await file).id}/content`, { headers: { ...(range ? { range } : {}), ...headers } }, owner);

  it.each([
    { range: 'bytes=0-99', start: 0, end: 99 },
    { range: 'bytes=2900-2999', start: 2900, end: 2999 },
    { range: 'bytes=1000-', start: 1000, end: 2999 },
    { range: 'bytes=-500', start: 2500, end: 2999 },
    { range: 'bytes=2990-5000', start: 2990, end: 2999 },
    { range: 'bytes=-5000', start: 0, end: 2999 },
    { range: 'bytes=1500-1500', start: 1500, end: 1500 },
  ])('answers $range with 206 and exactly those bytes', async ({ range, start, end }) => {
    const res = await get(range);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/3000`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(await bytesOf(res)).toEqual(content.slice(start, end + 1));
  });

  it.each(['bytes=3000-', 'bytes=5000-6000', 'bytes=-0'])('answers %s with 416 and the size', async (range) => {
    const res = await get(range);
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */3000');
    expect((await problemOf(res)).code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it.each(['bytes=0-9,20-29', 'bytes=abc', 'bytes=9-1', 'items=0-9', 'bytes=', 'bytes=-'])(
    'answers the malformed or multiple %s with the whole content',
    async (range) => {
      const res = await get(range);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-range')).toBeNull();
      expect(res.headers.get('content-length')).toBe('3000');
      expect(await bytesOf(res)).toEqual(content);
    },
  );

  it('answers the whole content without a Range, advertising ranges', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe('3000');
    expect(await bytesOf(res)).toEqual(content);
  });

  it('honours If-Range only while the ETag still matches', async () => {
    const etag = `"${(await file).sha256}"`;
    const same = await get('bytes=0-9', { 'if-range': etag });
    expect(same.status).toBe(206);
    expect(await bytesOf(same)).toEqual(content.slice(0, 10));
    const stale = await get('bytes=0-9', { 'if-range': '"another"' });
    expect(stale.status).toBe(200);
    expect(await bytesOf(stale)).toEqual(content);
  });
});

describe('parseRange', () => {
  it('answers an empty file unsatisfiable for any range', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores numbers too large to be exact', () => {
    expect(parseRange('bytes=0-99999999999999999999', 10)).toEqual({ kind: 'whole' });
  });
});
