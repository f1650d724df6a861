import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { s3MultipartUploads, uploads } from '../src/db/schema.js';
import { runLifecycleJob } from './support/life-jobs.js';
import { daysAgo, db, keysUnder, someUser } from './support/life-rows.js';
import { newUpload, patchUpload, randomBytes, someMember, storedState, streamOf } from './support/tus-client.js';

async function multipartWithParts(createdAt: string) {
  const row = await db()
    .insert(s3MultipartUploads)
    .values({ id: newId('mpu'), ownerId: someUser(), key: 'a/b.bin', createdAt })
    .returning()
    .get();
  for (const part of [1, 2]) await env.FILES_BUCKET.put(`s3-parts/${row.id}/${part}`, randomBytes(32));
  return row;
}

const multipartRow = (id: string) => db().select().from(s3MultipartUploads).where(eq(s3MultipartUploads.id, id)).get();

describe('lifecycle: stale uploads', () => {
  it('aborts tus uploads past their expiry: bytes, reservation and row, and no other upload', async () => {
    const who = someMember();
    const stale = await newUpload(who, 1000);
    expect((await patchUpload(who, stale, 0, streamOf(randomBytes(100)))).status).toBe(204);
    const live = await newUpload(who, 1000);
    expect((await patchUpload(who, live, 0, streamOf(randomBytes(100)))).status).toBe(204);
    await db()
      .update(uploads)
      .set({ expiresAt: daysAgo(0.01) })
      .where(eq(uploads.id, stale));
    const before = await storedState(stale);
    expect(before.objects.length).toBeGreaterThan(0);
    expect(before.reservation).toBeDefined();
    const liveBefore = await storedState(live);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { staleUploads: { tus: { done: 1 } } } });
    const after = await storedState(stale);
    expect(after.upload?.status).toBe('aborted');
    expect(after.objects).toEqual([]);
    expect(after.reservation).toBeUndefined();
    expect(await storedState(live)).toEqual(liveBefore);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { staleUploads: { tus: { done: 0 } } } });
    expect(await storedState(stale)).toEqual(after);
  });

  it('deletes S3 multipart uploads older than UPLOAD_EXPIRY_HOURS with their parts, keeping younger ones', async () => {
    const stale = await multipartWithParts(daysAgo(1.1));
    const young = await multipartWithParts(daysAgo(0.9));

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { staleUploads: { s3Multipart: { done: 1 } } } });
    expect(await multipartRow(stale.id)).toBeUndefined();
    expect(await keysUnder(`s3-parts/${stale.id}/`)).toEqual([]);
    expect(await multipartRow(young.id)).toEqual(young);
    expect(await keysUnder(`s3-parts/${young.id}/`)).toHaveLength(2);

    expect(await runLifecycleJob()).toMatchObject({ ok: true, data: { staleUploads: { s3Multipart: { done: 0 } } } });
    expect(await keysUnder(`s3-parts/${young.id}/`)).toHaveLength(2);
  });

  it('finishes an S3 multipart sweep that crashed after deleting some parts', async () => {
    const stale = await multipartWithParts(daysAgo(2));
    await env.FILES_BUCKET.delete(`s3-parts/${stale.id}/1`);
    await runLifecycleJob();
    expect(await multipartRow(stale.id)).toBeUndefined();
    expect(await keysUnder(`s3-parts/${stale.id}/`)).toEqual([]);
  });
});
