import { exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { forwardTo } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import type { StorageStats } from '../src/services/storage-stats.js';
import { daysAgo, fileOf, someUser, storedBlob } from './support/life-rows.js';

const forward = forwardTo('files', () => exports.FilesService);
const as = (permissions: string[]): Principal => {
  const userId = someUser();
  return { userId, sessionId: `ses_${userId}`, permissions, via: 'access_token' };
};

async function stats(): Promise<StorageStats> {
  const res = await forward('/api/v1/files/stats', {}, { principal: as(['files:read', 'files:manage']) });
  expect(res.status).toBe(200);
  return res.json<StorageStats>();
}

describe('GET /api/v1/files/stats', () => {
  it('adds up files, blobs, savings, storage classes, the trash and the largest users', async () => {
    const before = await stats();
    const big = 10 ** 12;
    // One compressed blob held by two files (deduplicated), one moved to Infrequent Access, one in the trash.
    const shared = await storedBlob(undefined, { size: big, storedSize: big / 4, encoding: 'gzip', refCount: 2 });
    const cold = await storedBlob(undefined, { size: 3000, storedSize: 3000, storageClass: 'InfrequentAccess' });
    const whale = someUser();
    const minnow = someUser();
    await fileOf(whale, shared, { size: big });
    await fileOf(minnow, shared, { size: big, status: 'trashed', trashedAt: daysAgo(1) });
    await fileOf(whale, cold, { size: 3000 });

    const after = await stats();
    const delta = (pick: (s: StorageStats) => number) => pick(after) - pick(before);
    expect(delta((s) => s.files)).toBe(3);
    expect(delta((s) => s.blobs)).toBe(2);
    expect(delta((s) => s.bytesLogical)).toBe(2 * big + 3000);
    expect(delta((s) => s.bytesStored)).toBe(big / 4 + 3000);
    expect(delta((s) => s.bytesSavedByDeduplication)).toBe(big);
    expect(delta((s) => s.bytesSavedByCompression)).toBe((3 * big) / 4);
    expect(delta((s) => s.bytesByStorageClass.Standard)).toBe(big / 4);
    expect(delta((s) => s.bytesByStorageClass.InfrequentAccess)).toBe(3000);
    expect(delta((s) => s.trash.files)).toBe(1);
    expect(delta((s) => s.trash.bytes)).toBe(big);
    expect(after.topUsers.slice(0, 2)).toEqual([
      { userId: whale, files: 2, bytes: big + 3000 },
      { userId: minnow, files: 1, bytes: big },
    ]);
    expect(after.topUsers.length).toBeLessThanOrEqual(10);
  });

  it('is for files:manage only', async () => {
    const res = await forward('/api/v1/files/stats', {}, { principal: as(['files:read', 'files:write']) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await forward('/api/v1/files/stats')).status).toBe(401);
  });
});
