import { describe, expect, it } from 'vitest';
import { createKey, s3Client, s3Code, s3Member, xmlValues } from './support/s3-client.js';

const KEYS = ['a.txt', 'docs/2026/jan.txt', 'docs/2026/feb.txt', 'docs/readme.txt', 'photos/cat.txt', 'z.txt'];

async function seeded() {
  const s3 = s3Client(await createKey(s3Member()));
  for (const key of KEYS) {
    const res = await s3.send(`/s3/files/${key}`, { method: 'PUT', body: `content of ${key}` });
    expect(res.status, key).toBe(200);
  }
  return s3;
}

async function list(s3: ReturnType<typeof s3Client>, query: string) {
  const res = await s3.send(`/s3/files?list-type=2${query}`);
  expect(res.status).toBe(200);
  const xml = await res.text();
  return {
    xml,
    keys: xmlValues(xml, 'Key'),
    prefixes: xmlValues(xml, 'Prefix').slice(1),
    truncated: xmlValues(xml, 'IsTruncated')[0],
    keyCount: Number(xmlValues(xml, 'KeyCount')[0]),
    next: xmlValues(xml, 'NextContinuationToken')[0],
  };
}

describe('S3 ListObjectsV2', () => {
  it('lists every key in byte order with sizes and ETags', async () => {
    const s3 = await seeded();
    const all = await list(s3, '');
    expect(all.keys).toEqual([...KEYS].sort());
    expect(all.keyCount).toBe(KEYS.length);
    expect(all.truncated).toBe('false');
    expect(xmlValues(all.xml, 'Size')[0]).toBe(String('content of a.txt'.length));
    expect(xmlValues(all.xml, 'ETag')[0]).toMatch(/^&quot;[0-9a-f]{64}&quot;$/);
  });

  it('filters by prefix and rolls keys up into common prefixes at the delimiter', async () => {
    const s3 = await seeded();
    const top = await list(s3, '&delimiter=/');
    expect(top.keys).toEqual(['a.txt', 'z.txt']);
    expect(top.prefixes).toEqual(['docs/', 'photos/']);
    expect(top.keyCount).toBe(4);
    const docs = await list(s3, '&delimiter=/&prefix=docs/');
    expect(docs.keys).toEqual(['docs/readme.txt']);
    expect(docs.prefixes).toEqual(['docs/2026/']);
    const prefixOnly = await list(s3, '&prefix=docs/2026/');
    expect(prefixOnly.keys).toEqual(['docs/2026/feb.txt', 'docs/2026/jan.txt']);
  });

  it('pages with max-keys and continuation tokens, keys and prefixes alike', async () => {
    const s3 = await seeded();
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = `&delimiter=/&max-keys=1${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
      const res = await list(s3, query);
      seen.push(...res.keys, ...res.prefixes);
      expect(res.keyCount).toBe(1);
      if (res.truncated === 'false') break;
      token = res.next;
      expect(token).toBeTruthy();
    }
    expect(seen).toEqual(['a.txt', 'docs/', 'photos/', 'z.txt']);
    const after = await list(s3, '&start-after=docs/readme.txt');
    expect(after.keys).toEqual(['photos/cat.txt', 'z.txt']);
  });

  it('shows no trashed files and refuses a forged token', async () => {
    const s3 = await seeded();
    await s3.send('/s3/files/z.txt', { method: 'DELETE' });
    expect((await list(s3, '')).keys).not.toContain('z.txt');
    const forged = await s3.send('/s3/files?list-type=2&continuation-token=not-a-token');
    expect(await s3Code(forged)).toBe('InvalidArgument');
  });
});
