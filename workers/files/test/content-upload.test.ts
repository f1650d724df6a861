import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs } from '../src/db/schema.js';
import { pngOf } from './support/life-images.js';
import { bytesOf, call, db, member } from './support/read-fixtures.js';

const upload = (path: string, type: string, bytes: Uint8Array, as: ReturnType<typeof member>) =>
  call(path, { method: 'POST', headers: { 'content-type': type }, body: new Blob([bytes]).stream() }, as);

describe('content of a real upload', () => {
  it('reads back a compressed upload whole and in ranges, byte for byte', async () => {
    const owner = member('uploader');
    const rows = Array.from({ length: 4000 }, (_, i) => `${i},row ${i},${(i * 31) % 97}\n`).join('');
    const bytes = new TextEncoder().encode(rows);
    const upload = await call(
      '/api/v1/files?name=data.csv&folder=exports',
      { method: 'POST', headers: { 'content-type': 'text/csv' }, body: new Blob([bytes]).stream() },
      owner,
    );
    expect(upload.status, await upload.clone().text()).toBe(201);
    const file = await upload.json<{ id: string; sha256: string; size: number }>();
    expect(file.size).toBe(bytes.byteLength);
    const blob = await db.select().from(blobs).where(eq(blobs.sha256, file.sha256)).get();
    expect(blob?.encoding).toBe('gzip');
    expect(blob?.storedSize).toBeLessThan(bytes.byteLength);

    const whole = await call(`/api/v1/files/${file.id}/content`, {}, owner);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect(whole.headers.get('etag')).toBe(`"${file.sha256}"`);
    expect(await bytesOf(whole)).toEqual(bytes);

    const middle = await call(`/api/v1/files/${file.id}/content`, { headers: { range: 'bytes=50000-50999' } }, owner);
    expect(middle.status).toBe(206);
    expect(await bytesOf(middle)).toEqual(bytes.slice(50_000, 51_000));
    const tail = await call(`/api/v1/files/${file.id}/content`, { headers: { range: 'bytes=-10' } }, owner);
    expect(await bytesOf(tail)).toEqual(bytes.slice(-10));
  });

  it('hands an image query to the variants, keeping the sandbox and the revalidation', async () => {
    const owner = member('variants');
    const png = await upload('/api/v1/files?name=pic.png', 'image/png', await pngOf(64, 48), owner);
    expect(png.status, await png.clone().text()).toBe(201);
    const { id } = await png.json<{ id: string }>();
    const res = await call(`/api/v1/files/${id}/content?w=16&format=png`, {}, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, max-age=0, must-revalidate');
    expect((await bytesOf(res)).byteLength).toBeGreaterThan(0);
    const text = await upload('/api/v1/files?name=a.txt', 'text/plain', new TextEncoder().encode('plain'), owner);
    const { id: textId } = await text.json<{ id: string }>();
    const refused = await call(`/api/v1/files/${textId}/content?w=16`, {}, owner);
    expect(refused.status).toBe(400);
    expect((await refused.json<{ code: string }>()).code).toBe('NOT_AN_IMAGE');
  });
});
