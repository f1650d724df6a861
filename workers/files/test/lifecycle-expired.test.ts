import { newId } from '@onasis/contracts';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { publicLinks, reservations, uploadUrls } from '../src/db/schema.js';
import { runLifecycleJob } from './support/life-jobs.js';
import { daysAgo, db, someUser } from './support/life-rows.js';

const hoursFromNow = (h: number) => daysAgo(-h / 24);

async function reservation(expiresAt: string) {
  return db()
    .insert(reservations)
    .values({ id: newId('rsv'), ownerId: someUser(), bytes: 10, expiresAt })
    .returning()
    .get();
}

async function uploadUrl(expiresAt: string, usedAt: string | null = null) {
  const row = { id: newId('upu'), ownerId: someUser(), maxBytes: 100, expiresAt, usedAt };
  return db().insert(uploadUrls).values(row).returning().get();
}

async function link(expiresAt: string | null, revokedAt: string | null = null) {
  const row = {
    id: newId('pln'),
    fileId: newId('fil'),
    ownerId: someUser(),
    tokenHash: newId('tok'),
    expiresAt,
    revokedAt,
  };
  return db().insert(publicLinks).values(row).returning().get();
}

describe('lifecycle: expired grants', () => {
  it('deletes expired reservations, stale upload URLs and dead public links, and nothing else', async () => {
    const gone = {
      reservations: [await reservation(daysAgo(0.01))],
      uploadUrls: [await uploadUrl(daysAgo(2)), await uploadUrl(hoursFromNow(1), daysAgo(1.5))],
      publicLinks: [await link(daysAgo(0.01)), await link(null, daysAgo(2))],
    };
    const kept = {
      reservations: [await reservation(hoursFromNow(1))],
      // Expired or used within the day: kept so that a retried upload to it gets 410, not 404.
      uploadUrls: [
        await uploadUrl(daysAgo(0.5)),
        await uploadUrl(hoursFromNow(2), daysAgo(0.5)),
        await uploadUrl(hoursFromNow(2)),
      ],
      publicLinks: [await link(null), await link(hoursFromNow(1)), await link(null, daysAgo(0.5))],
    };
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    const present = async () => ({
      reservations: await db()
        .select()
        .from(reservations)
        .where(inArray(reservations.id, [...ids(gone.reservations), ...ids(kept.reservations)])),
      uploadUrls: await db()
        .select()
        .from(uploadUrls)
        .where(inArray(uploadUrls.id, [...ids(gone.uploadUrls), ...ids(kept.uploadUrls)])),
      publicLinks: await db()
        .select()
        .from(publicLinks)
        .where(inArray(publicLinks.id, [...ids(gone.publicLinks), ...ids(kept.publicLinks)])),
    });

    const outcome = await runLifecycleJob();
    expect(outcome).toMatchObject({ ok: true });
    const after = await present();
    expect(after.reservations).toEqual(expect.arrayContaining(kept.reservations));
    expect(after.reservations).toHaveLength(kept.reservations.length);
    expect(after.uploadUrls).toEqual(expect.arrayContaining(kept.uploadUrls));
    expect(after.uploadUrls).toHaveLength(kept.uploadUrls.length);
    expect(after.publicLinks).toEqual(expect.arrayContaining(kept.publicLinks));
    expect(after.publicLinks).toHaveLength(kept.publicLinks.length);

    expect(await runLifecycleJob()).toMatchObject({
      ok: true,
      data: { expired: { reservations: { done: 0 }, uploadUrls: { done: 0 }, publicLinks: { done: 0 } } },
    });
    expect(await present()).toEqual(after);
  });
});
