import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files } from '../src/db/schema.js';
import { releaseBlob } from '../src/services/blob-refs.js';
import {
  blobKeys,
  blobOf,
  call,
  db,
  type FileView,
  member,
  randomBytes,
  sha256Of,
  storedBytes,
  upload,
  uploaded,
} from './support/upload-helpers.js';

/** Deletes a file for good the way every delete path does: its row, then one reference to its blob. */
async function deleteForGood(file: { id: string }) {
  const row = await db().delete(files).where(eq(files.id, file.id)).returning().get();
  if (row) await releaseBlob(env, row.blobId);
}

async function eventually(check: () => Promise<boolean>, ms = 3000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('deduplication', () => {
  it('stores the same bytes of two owners once, counted twice, charged to both', async () => {
    const alice = member();
    const bob = member();
    const bytes = randomBytes(50_000);
    const before = await blobKeys();
    const a = await uploaded(bytes, alice, { name: 'same.bin' });
    const b = await uploaded(bytes, bob, { name: 'same.bin' });
    const blob = await blobOf(await sha256Of(bytes));
    expect(blob?.refCount).toBe(2);
    const rows = await db().select().from(files).where(eq(files.sha256, a.sha256)).all();
    expect(rows.map((r) => r.blobId)).toEqual([blob?.id, blob?.id]);
    // The second upload's own object is deleted after its answer: one new object in the end.
    await eventually(async () => (await blobKeys()).length === before.length + 1);
    for (const who of [alice, bob]) {
      const usage = await (await call('/api/v1/files/usage', {}, who)).json<{ bytesUsed: number; filesUsed: number }>();
      expect(usage).toMatchObject({ bytesUsed: bytes.byteLength, filesUsed: 1 });
    }
    const shape = (f: FileView) => ({
      ...f,
      id: undefined,
      ownerId: undefined,
      createdAt: undefined,
      updatedAt: undefined,
    });
    expect(shape(b)).toEqual(shape(a));
  });

  it('answers a duplicate exactly as a first upload, with nothing that tells someone else holds the bytes', async () => {
    const bytes = randomBytes(2048);
    const first = await upload(bytes, member(), { name: 'x.bin' });
    const second = await upload(bytes, member(), { name: 'x.bin' });
    expect(second.status).toBe(first.status);
    expect([...second.headers.keys()].sort()).toEqual([...first.headers.keys()].sort());
    expect(Object.keys(await second.json<object>()).sort()).toEqual(Object.keys(await first.json<object>()).sort());
  });

  it('keeps the blob when one of two files holding it is deleted, and drops it with the last', async () => {
    const bytes = randomBytes(10_000);
    const a = await uploaded(bytes, member());
    const b = await uploaded(bytes, member());
    const blob = await blobOf(a.sha256);
    await deleteForGood(a);
    expect((await blobOf(a.sha256))?.refCount).toBe(1);
    expect(await storedBytes(blob?.objectKey ?? '', 'identity')).toEqual(bytes);
    await deleteForGood(b);
    expect(await blobOf(a.sha256)).toBeUndefined();
    expect(await env.FILES_BUCKET.head(blob?.objectKey ?? '')).toBeNull();
  });

  it('stores one blob when several owners upload the same bytes at once', async () => {
    const bytes = randomBytes(20_000);
    const before = await blobKeys();
    const answers = await Promise.all(Array.from({ length: 5 }, () => upload(bytes, member(), { name: 'same.bin' })));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const blob = await blobOf(await sha256Of(bytes));
    expect(blob?.refCount).toBe(5);
    await eventually(async () => (await blobKeys()).length === before.length + 1);
    expect(await blobKeys()).toContain(blob?.objectKey);
  });

  it('never loses the blob when the last reference is deleted while the same bytes are uploaded', async () => {
    for (let round = 0; round < 12; round++) {
      const bytes = randomBytes(4096 + round);
      const first = await uploaded(bytes, member());
      const bob = member();
      const [, res] = await Promise.all([deleteForGood(first), upload(bytes, bob, { name: 'race.bin' })]);
      expect(res.status, await res.clone().text()).toBe(201);
      const file = await res.json<FileView>();
      const row = await db().select().from(files).where(eq(files.id, file.id)).get();
      const blob = await blobOf(file.sha256);
      expect(blob?.id, `round ${round}`).toBe(row?.blobId);
      expect(blob?.refCount, `round ${round}`).toBe(1);
      // Let the losing side's deferred object deletion finish before checking the survivor's bytes.
      await new Promise((r) => setTimeout(r, 50));
      expect(await sha256Of(await storedBytes(blob?.objectKey ?? '', 'identity')), `round ${round}`).toBe(file.sha256);
    }
  }, 60_000);
});
