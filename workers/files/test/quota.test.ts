import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { files, reservations } from '../src/db/schema.js';
import { quotaOf } from '../src/services/config.js';
import { releaseSpace, reserveSpace, usageOf } from '../src/services/quota.js';
import {
  blobOf,
  call,
  db,
  filesOf,
  member,
  randomBytes,
  reservationsOf,
  sha256Of,
  upload,
  uploaded,
} from './support/upload-helpers.js';

const FREE = quotaOf(env, 'free');

/** Fills the owner's quota up to `left` bytes with one file row (its blob never read). */
async function leaveRoom(userId: string, left: number) {
  await db()
    .insert(files)
    .values({
      id: newId('fil'),
      ownerId: userId,
      name: 'filler.bin',
      contentType: 'application/octet-stream',
      size: FREE.bytes - left,
      sha256: 'filler',
      blobId: 'blb_filler',
    });
}

describe('quotas', () => {
  it('refuses an upload over the quota with 413 before storing anything', async () => {
    const alice = member();
    await leaveRoom(alice.userId, 1000);
    const bytes = randomBytes(2000);
    const res = await upload(bytes, alice, { name: 'big.bin' });
    expect(res.status).toBe(413);
    expect((await res.json<{ code: string }>()).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await filesOf(alice.userId)).toHaveLength(1);
    expect(await reservationsOf(alice.userId)).toEqual([]);
    expect(await blobOf(await sha256Of(bytes))).toBeUndefined();
  });

  it('refuses a body of unknown length once it outgrows what is left, keeping nothing', async () => {
    const alice = member();
    await leaveRoom(alice.userId, 10_000);
    const bytes = randomBytes(20_000);
    const res = await upload(bytes, alice, { name: 'stream.bin', unknownLength: true });
    expect(res.status).toBe(413);
    expect((await res.json<{ code: string }>()).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(await filesOf(alice.userId)).toHaveLength(1);
    expect(await reservationsOf(alice.userId)).toEqual([]);
    expect(await blobOf(await sha256Of(bytes))).toBeUndefined();
  });

  it('stores a body of unknown length that fits what is left', async () => {
    const alice = member();
    await leaveRoom(alice.userId, 10_000);
    await uploaded(randomBytes(10_000), alice, { unknownLength: true });
    const usage = await usageOf(env, { userId: alice.userId, plan: 'free' });
    expect(usage).toMatchObject({ bytesUsed: FREE.bytes, bytesReserved: 0 });
  });

  it('never lets concurrent uploads together pass the quota', async () => {
    const alice = member();
    await leaveRoom(alice.userId, 100_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => upload(randomBytes(30_000), alice, { name: `part-${i}.bin` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 413)).toBe(true);
    const stored = (await filesOf(alice.userId)).reduce((n, f) => n + f.size, 0);
    expect(stored).toBeLessThanOrEqual(FREE.bytes);
    expect(await reservationsOf(alice.userId)).toEqual([]);
  });

  it('counts files against the plan, and reservations until released', async () => {
    const tiny = { ...env, FILE_QUOTAS: '{"tiny": {"bytes": 1000, "files": 2}}' };
    const owner = { userId: member().userId, plan: 'tiny' };
    const first = await reserveSpace(tiny, owner, { bytes: 100 }, 60);
    await reserveSpace(tiny, owner, { bytes: 100 }, 60);
    await expect(reserveSpace(tiny, owner, { bytes: 1 }, 60)).rejects.toMatchObject({
      code: 'STORAGE_QUOTA_EXCEEDED',
    });
    await releaseSpace(tiny, first);
    await releaseSpace(tiny, first);
    await reserveSpace(tiny, owner, { bytes: 800 }, 60);
    expect(await usageOf(tiny, owner)).toMatchObject({ bytesReserved: 900, filesReserved: 2, bytesAllowed: 1000 });
  });

  it('does not count expired reservations', async () => {
    const tiny = { ...env, FILE_QUOTAS: '{"tiny": {"bytes": 1000, "files": 5}}' };
    const owner = { userId: member().userId, plan: 'tiny' };
    await db()
      .insert(reservations)
      .values({
        id: newId('rsv'),
        ownerId: owner.userId,
        bytes: 1000,
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      });
    await reserveSpace(tiny, owner, { bytes: 1000 }, 60);
    expect((await usageOf(tiny, owner)).bytesReserved).toBe(1000);
  });

  it('answers usage with the plan and its limits', async () => {
    const alice = member('pro');
    await uploaded(randomBytes(1234), alice);
    const res = await call('/api/v1/files/usage', {}, alice);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      plan: 'pro',
      bytesUsed: 1234,
      filesUsed: 1,
      bytesReserved: 0,
      filesReserved: 0,
      bytesAllowed: quotaOf(env, 'pro').bytes,
      filesAllowed: quotaOf(env, 'pro').files,
    });
  });

  it('refuses usage to a caller without files:read', async () => {
    const res = await call('/api/v1/files/usage', {}, { ...member(), permissions: [] });
    expect(res.status).toBe(403);
  });
});

describe('GET /api/v1/files/usage?userId=', () => {
  it("answers another user's usage to files:manage, under that user's plan", async () => {
    const alice = member('pro');
    await uploaded(randomBytes(321), alice);
    await call('/api/v1/files/usage', {}, alice);
    const admin = { ...member(), permissions: ['files:read', 'files:manage'] };
    const res = await call(`/api/v1/files/usage?userId=${alice.userId}`, {}, admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ plan: 'pro', bytesUsed: 321, filesUsed: 1 });
    const nobody = await call('/api/v1/files/usage?userId=usr_never_seen', {}, admin);
    expect(await nobody.json()).toMatchObject({ plan: 'free', bytesUsed: 0, filesUsed: 0 });
  });

  it("refuses another user's usage without files:manage, and answers one's own", async () => {
    const alice = member();
    const bob = member();
    const res = await call(`/api/v1/files/usage?userId=${alice.userId}`, {}, bob);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await call(`/api/v1/files/usage?userId=${bob.userId}`, {}, bob)).status).toBe(200);
    expect((await call('/api/v1/files/usage?userId=', {}, bob)).status).toBe(400);
  });
});
