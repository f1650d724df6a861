import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs } from '../src/db/schema.js';
import { bytesOf, call, db, member } from './support/read-fixtures.js';

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
});
