import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs } from '../src/db/schema.js';
import { runLifecycleJob } from './support/life-jobs.js';
import { db, fileOf, keysUnder, someUser, storedBlob } from './support/life-rows.js';

const blobRow = (id: string) => db().select().from(blobs).where(eq(blobs.id, id)).get();

describe('lifecycle: unreferenced blobs', () => {
  it('deletes blobs at zero references, row then object and variants, and keeps referenced ones', async () => {
    const orphan = await storedBlob(undefined, { refCount: 0 });
    await env.FILES_BUCKET.put(`variants/${orphan.id}/w10-h10-cover.webp`, 'variant');
    const held = await storedBlob();
    await fileOf(someUser(), held);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { unreferencedBlobs: { done: 1 } } });
    expect(await blobRow(orphan.id)).toBeUndefined();
    expect(await keysUnder(`blobs/${orphan.id}`)).toEqual([]);
    expect(await keysUnder(`variants/${orphan.id}/`)).toEqual([]);
    expect(await blobRow(held.id)).toEqual(held);
    expect(await keysUnder(`blobs/${held.id}`)).toEqual([held.objectKey]);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { unreferencedBlobs: { done: 0 } } });
    expect(await blobRow(held.id)).toEqual(held);
  });

  it('finishes a collection that crashed after deleting the row', async () => {
    const orphan = await storedBlob(undefined, { refCount: 0 });
    // The object of a blob whose row is gone is never served; the stray-object step deletes it a day later.
    await db().delete(blobs).where(eq(blobs.id, orphan.id));
    expect(await runLifecycleJob()).toMatchObject({ ok: true });
    expect(await blobRow(orphan.id)).toBeUndefined();
  });
});
