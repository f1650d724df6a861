import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blobs } from '../src/db/schema.js';
import { runLifecycleJob } from './support/life-jobs.js';
import { daysAgo, db, randomBytes, storedBlob } from './support/life-rows.js';

const rowOf = (id: string) => db().select().from(blobs).where(eq(blobs.id, id)).get();

describe('lifecycle: Infrequent Access', () => {
  it('moves blobs not read for FILES_IA_AFTER_DAYS, in place, and nothing else', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const unread = await storedBlob(bytes, {
      lastReadAt: daysAgo(40),
      createdAt: daysAgo(90),
      sniffedType: 'image/png',
    });
    const neverRead = await storedBlob(undefined, { createdAt: daysAgo(31) });
    const readLately = await storedBlob(undefined, { lastReadAt: daysAgo(2), createdAt: daysAgo(90) });
    const young = await storedBlob(undefined, { createdAt: daysAgo(29) });
    const unreferenced = await storedBlob(undefined, { createdAt: daysAgo(90), refCount: 0 });
    const versions = new Map<string, string | undefined>();
    for (const b of [unread, neverRead, readLately, young])
      versions.set(b.id, (await env.FILES_BUCKET.head(b.objectKey))?.version);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { infrequentAccess: { done: 2, more: false } } });

    // The local R2 emulation records no storage class (head answers ''), so the test sees the rewrite by the
    // object's new version; in production head() answers 'InfrequentAccess', which the step checks.
    for (const moved of [unread, neverRead]) {
      expect(await rowOf(moved.id)).toMatchObject({ storageClass: 'InfrequentAccess' });
      const head = await env.FILES_BUCKET.head(moved.objectKey);
      expect(head?.version).not.toBe(versions.get(moved.id));
      expect(head?.storageClass).not.toBe('Standard');
    }
    const object = await env.FILES_BUCKET.get(unread.objectKey);
    expect(new Uint8Array(await (object as R2ObjectBody).arrayBuffer())).toEqual(bytes);
    expect(object?.httpMetadata?.contentType).toBe('image/png');
    for (const kept of [readLately, young]) {
      expect(await rowOf(kept.id)).toEqual(kept);
      expect((await env.FILES_BUCKET.head(kept.objectKey))?.version).toBe(versions.get(kept.id));
    }
    // The unreferenced blob is collected by its own step in the same run, not moved.
    expect(await rowOf(unreferenced.id)).toBeUndefined();

    const moved = await rowOf(unread.id);
    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { infrequentAccess: { done: 0 } } });
    expect(await rowOf(unread.id)).toEqual(moved);
  });

  it('finishes a move that crashed between the rewrite and the row update', async () => {
    const blob = await storedBlob(undefined, { createdAt: daysAgo(45) });
    const body = await env.FILES_BUCKET.get(blob.objectKey);
    await env.FILES_BUCKET.put(blob.objectKey, await (body as R2ObjectBody).arrayBuffer(), {
      storageClass: 'InfrequentAccess',
    });
    expect(await rowOf(blob.id)).toMatchObject({ storageClass: 'Standard' });
    await runLifecycleJob();
    expect(await rowOf(blob.id)).toMatchObject({ storageClass: 'InfrequentAccess' });
  });
});
