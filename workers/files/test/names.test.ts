import { describe, expect, it } from 'vitest';
import { blobKeys, filesOf, member, randomBytes, reservationsOf, upload, uploaded } from './support/upload-helpers.js';

const refusedNames: [string, string][] = [
  ['a control character', 'bad\u0007name.txt'],
  ['a newline', 'two\nlines.txt'],
  ['a slash', 'dir/name.txt'],
  ['a backslash', 'dir\\name.txt'],
  ['dot dot', '..'],
  ['a lone dot', '.'],
  ['only spaces', '   '],
  ['256 bytes', `${'a'.repeat(252)}.txt`],
  ['a right-to-left override', 'evil\u202Egpj.exe'],
];

describe('file names', () => {
  for (const [what, name] of refusedNames) {
    it(`refuses a name with ${what} with 400 and stores nothing`, async () => {
      const alice = member();
      const before = await blobKeys();
      const res = await upload(randomBytes(64), alice, { name });
      expect(res.status, await res.clone().text()).toBe(400);
      expect((await res.json<{ code: string }>()).code).toBe('VALIDATION_FAILED');
      expect(await filesOf(alice.userId)).toEqual([]);
      expect(await reservationsOf(alice.userId)).toEqual([]);
      expect(await blobKeys()).toEqual(before);
    });
  }

  it('refuses a folder with a dot-dot segment with 400', async () => {
    const res = await upload(randomBytes(8), member(), { name: 'a.txt', folder: 'docs/../etc' });
    expect(res.status).toBe(400);
  });

  it('accepts a name of exactly 255 bytes', async () => {
    const name = `${'é'.repeat(125)}.txt`;
    expect(new TextEncoder().encode(name).length).toBe(254);
    const file = await uploaded(randomBytes(8), member(), { name: `${name}x` });
    expect(file.name).toBe(`${name}x`);
  });

  it('stores names in NFC, so that two spellings of one name are one file', async () => {
    const alice = member();
    const bytes = randomBytes(32);
    const composed = await uploaded(bytes, alice, { name: 'caf\u00e9.txt' });
    expect(composed.name).toBe('caf\u00e9.txt');
    const res = await upload(randomBytes(32), alice, { name: 'cafe\u0301.txt' });
    expect(res.status).toBe(409);
  });

  it('trims slashes around a folder and keeps its segments', async () => {
    const file = await uploaded(randomBytes(8), member(), { folder: '/a/b/' });
    expect(file.folder).toBe('a/b');
  });
});
