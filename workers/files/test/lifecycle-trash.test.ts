import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs, fileShares, files, publicLinks } from '../src/db/schema.js';
import { CHUNK } from '../src/services/lifecycle-purge.js';
import { runLifecycleJob } from './support/life-jobs.js';
import { daysAgo, db, fileOf, keysUnder, someUser, storedBlob } from './support/life-rows.js';

const blobRow = (id: string) => db().select().from(blobs).where(eq(blobs.id, id)).get();
const fileRow = (id: string) => db().select().from(files).where(eq(files.id, id)).get();

async function sharedAndLinked(fileId: string, ownerId: string) {
  await db().insert(fileShares).values({ fileId, userId: someUser(), access: 'read', createdBy: ownerId });
  await db()
    .insert(publicLinks)
    .values({ id: newId('pln'), fileId, ownerId, tokenHash: newId('tok') });
}

describe('lifecycle: trash', () => {
  it('purges files trashed past FILES_TRASH_DAYS with their shares, links and last blob reference', async () => {
    const alice = someUser();
    const own = await storedBlob(undefined, { refCount: 1 });
    await env.FILES_BUCKET.put(`variants/${own.id}/w10-h0-scale-down.png`, 'variant');
    const shared = await storedBlob(undefined, { refCount: 2 });
    const old = { status: 'trashed' as const, trashedAt: daysAgo(31) };
    const purged = [await fileOf(alice, own, old), await fileOf(alice, shared, old)];
    for (const f of purged) await sharedAndLinked(f.id, alice);
    const bobsCopy = await fileOf(someUser(), shared);
    const recent = await fileOf(alice, await storedBlob(), { status: 'trashed', trashedAt: daysAgo(29) });
    const live = await fileOf(alice, await storedBlob(), { createdAt: daysAgo(400) });

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { trash: { done: 2, more: false } } });
    for (const f of purged) {
      expect(await fileRow(f.id)).toBeUndefined();
      expect(await db().select().from(fileShares).where(eq(fileShares.fileId, f.id))).toEqual([]);
      expect(await db().select().from(publicLinks).where(eq(publicLinks.fileId, f.id))).toEqual([]);
    }
    expect(await blobRow(own.id)).toBeUndefined();
    expect(await keysUnder(`blobs/${own.id}`)).toEqual([]);
    expect(await keysUnder(`variants/${own.id}/`)).toEqual([]);
    expect(await blobRow(shared.id)).toMatchObject({ refCount: 1 });
    expect(await keysUnder(`blobs/${shared.id}`)).toEqual([shared.objectKey]);
    for (const f of [bobsCopy, recent, live]) expect(await fileRow(f.id)).toEqual(f);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { trash: { done: 0 } } });
    expect(await blobRow(shared.id)).toMatchObject({ refCount: 1 });
  });

  it('keeps a file restored before the purge reached it', async () => {
    const alice = someUser();
    const blob = await storedBlob();
    const file = await fileOf(alice, blob, { status: 'trashed', trashedAt: daysAgo(40) });
    const restored = await db()
      .update(files)
      .set({ status: 'ready', trashedAt: null })
      .where(eq(files.id, file.id))
      .returning()
      .get();
    await runLifecycleJob();
    expect(await fileRow(file.id)).toEqual(restored);
    expect(await blobRow(blob.id)).toMatchObject({ refCount: 1 });
  });

  it('purges at most a chunk a run, and the next run carries on', async () => {
    const alice = someUser();
    const blob = await storedBlob(undefined, { refCount: CHUNK + 2 });
    for (let i = 0; i < CHUNK + 2; i++) await fileOf(alice, blob, { status: 'trashed', trashedAt: daysAgo(60) });
    expect(await runLifecycleJob()).toMatchObject({
      ok: true,
      data: { trash: { done: CHUNK, more: true }, more: true },
    });
    expect(await blobRow(blob.id)).toMatchObject({ refCount: 2 });
    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { trash: { done: 2, more: false } } });
    expect(await blobRow(blob.id)).toBeUndefined();
    expect(await db().select().from(files).where(eq(files.ownerId, alice))).toEqual([]);
  }, 30_000);
});
