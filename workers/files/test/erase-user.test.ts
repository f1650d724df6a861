import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  blobs,
  fileShares,
  files,
  owners,
  publicLinks,
  reservations,
  s3Keys,
  s3MultipartUploads,
  uploads,
  uploadUrls,
} from '../src/db/schema.js';
import { eraseUser } from '../src/services/erase-user.js';
import { runJob } from './support/life-jobs.js';
import { daysAgo, db, fileOf, keysUnder, someUser, storedBlob } from './support/life-rows.js';
import { newUpload, patchUpload, randomBytes, someMember, storedState, streamOf } from './support/tus-client.js';

/** Everything a user holds, read straight from D1. */
async function holdings(userId: string) {
  const d = db();
  return {
    files: await d.select().from(files).where(eq(files.ownerId, userId)),
    shares: await d
      .select()
      .from(fileShares)
      .where(or(eq(fileShares.userId, userId), eq(fileShares.createdBy, userId))),
    links: await d.select().from(publicLinks).where(eq(publicLinks.ownerId, userId)),
    uploadUrls: await d.select().from(uploadUrls).where(eq(uploadUrls.ownerId, userId)),
    reservations: await d.select().from(reservations).where(eq(reservations.ownerId, userId)),
    uploads: await d.select().from(uploads).where(eq(uploads.ownerId, userId)),
    s3Keys: await d.select().from(s3Keys).where(eq(s3Keys.ownerId, userId)),
    multipart: await d.select().from(s3MultipartUploads).where(eq(s3MultipartUploads.ownerId, userId)),
    owner: await d.select().from(owners).where(eq(owners.userId, userId)),
  };
}

/** A user with one of everything: files (live, trashed, one sharing its blob with `other`), shares, links, keys. */
async function populate(userId: string, other: string) {
  const d = db();
  const own = await storedBlob();
  const shared = await storedBlob(undefined, { refCount: 2 });
  const mine = await fileOf(userId, own);
  await fileOf(userId, shared, { status: 'trashed', trashedAt: daysAgo(1) });
  const theirs = await fileOf(other, shared);
  await d.insert(fileShares).values([
    { fileId: mine.id, userId: other, access: 'read', createdBy: userId },
    { fileId: theirs.id, userId, access: 'write', createdBy: other },
  ]);
  await d.insert(publicLinks).values({ id: newId('pln'), fileId: mine.id, ownerId: userId, tokenHash: newId('tok') });
  await d.insert(uploadUrls).values({ id: newId('upu'), ownerId: userId, maxBytes: 10, expiresAt: daysAgo(-1) });
  await d.insert(reservations).values({ id: newId('rsv'), ownerId: userId, bytes: 5, expiresAt: daysAgo(-1) });
  await d.insert(s3Keys).values({ accessKeyId: newId('AKIA'), ownerId: userId, sealedSecret: 'sealed' });
  const mpu = await d
    .insert(s3MultipartUploads)
    .values({ id: newId('mpu'), ownerId: userId, key: 'k' })
    .returning()
    .get();
  await env.FILES_BUCKET.put(`s3-parts/${mpu.id}/1`, 'part');
  await d.insert(owners).values({ userId, plan: 'pro' }).onConflictDoNothing();
  return { own, shared, theirs, mpu };
}

describe('files.erase-user', () => {
  it('erases everything of the user and dereferences their blobs, keeping what another user holds', async () => {
    const who = someMember();
    const alice = who.userId;
    const bob = someUser();
    const tus = await newUpload(who, 1000);
    expect((await patchUpload(who, tus, 0, streamOf(randomBytes(10)))).status).toBe(204);
    const { own, shared, theirs, mpu } = await populate(alice, bob);
    await populate(bob, someUser());
    const bobBefore = await holdings(bob);

    expect(await runJob('files.erase-user', { userId: alice })).toMatchObject({
      ok: true,
      data: { files: 2, uploads: 1, s3MultipartUploads: 1, more: false },
    });
    const after = await holdings(alice);
    expect(Object.values(after).every((rows) => rows.length === 0)).toBe(true);
    expect(await db().select().from(blobs).where(eq(blobs.id, own.id))).toEqual([]);
    expect(await keysUnder(`blobs/${own.id}`)).toEqual([]);
    expect(await db().select().from(blobs).where(eq(blobs.id, shared.id))).toMatchObject([{ refCount: 1 }]);
    expect(await keysUnder(`blobs/${shared.id}`)).toEqual([shared.objectKey]);
    expect(await keysUnder(`s3-parts/${mpu.id}/`)).toEqual([]);
    expect((await storedState(tus)).objects).toEqual([]);
    // Bob keeps his files and everything of his; only the shares between him and Alice are gone.
    const bobAfter = await holdings(bob);
    expect(bobAfter).toEqual({
      ...bobBefore,
      shares: bobBefore.shares.filter((s) => s.userId !== alice && s.createdBy !== alice),
    });
    expect(bobAfter.files).toContainEqual(theirs);

    expect(await runJob('files.erase-user', { userId: alice })).toMatchObject({
      ok: true,
      data: { files: 0, uploads: 0, s3MultipartUploads: 0, more: false },
    });
    expect(await db().select().from(blobs).where(eq(blobs.id, shared.id))).toMatchObject([{ refCount: 1 }]);
    expect(await holdings(bob)).toEqual(bobAfter);
  });

  it('stops between chunks when its time is up and finishes on the next attempt', async () => {
    const alice = someUser();
    await populate(alice, someUser());
    const partial = await eraseUser(env, alice, 0);
    expect(partial).toMatchObject({ more: true, files: 0 });
    expect((await holdings(alice)).files).toHaveLength(2);
    expect(await runJob('files.erase-user', { userId: alice })).toMatchObject({ ok: true, data: { more: false } });
    expect(Object.values(await holdings(alice)).every((rows) => rows.length === 0)).toBe(true);
  });
});
